/* pci_msix: MSI-X table, PBA and delivery (see pci_msix.h).
 *
 * PCI Local Bus 3.0 §6.8.2. The capability's Message Control has two
 * writable bits (enable, function mask); each vector's control dword has
 * one (mask). A vector may signal only when MSI-X is enabled and neither
 * mask is set; otherwise its pending bit records it.
 */
#include "pci_msix.h"

#include <errno.h>
#include <string.h>

#include "kvm_msi.h"
#include "log.h"

int pci_msix_init(struct pci_msix *m, struct pci_dev *d,
		  struct kvm_msi_table *msi, uint16_t nvec, unsigned int bar,
		  uint32_t table_off, uint32_t pba_off)
{
	uint8_t body[PCI_MSIX_CAP_LEN - 2];
	int off;

	if (!nvec || nvec > PCI_MSIX_MAX_VECTORS || bar >= PCI_STD_NUM_BARS ||
	    (table_off | pba_off) & 7)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->dev = d;
	m->msi = msi;
	m->nvec = nvec;
	m->table_off = table_off;
	m->pba_off = pba_off;
	pci_put(&body[0], nvec - 1u, 2); /* table size, N - 1 */
	pci_put(&body[2], table_off | bar, 4);
	pci_put(&body[6], pba_off | bar, 4);
	off = pci_dev_add_cap(d, PCI_CAP_ID_MSIX, body, sizeof(body) + 2);
	if (off < 0)
		return off;
	m->cap = (uint8_t)off;
	pci_put(&d->wmask[off + PCI_MSIX_FLAGS],
		PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
	pthread_mutex_init(&m->lock, NULL);
	for (unsigned int v = 0; v < nvec; v++) {
		m->table[v].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
		m->gsi[v] = msi ? kvm_msi_alloc(msi) : -ENODEV;
		if (m->gsi[v] < 0) {
			int ret = m->gsi[v];

			pci_msix_destroy(m);
			return ret;
		}
	}
	return 0;
}

void pci_msix_destroy(struct pci_msix *m)
{
	for (unsigned int v = 0; v < m->nvec; v++)
		if (m->gsi[v] >= 0 && m->msi)
			kvm_msi_free(m->msi, (uint32_t)m->gsi[v]);
	m->nvec = 0;
	pthread_mutex_destroy(&m->lock);
}

static bool vec_masked(const struct pci_msix *m, unsigned int v)
{
	return m->func_masked ||
	       (m->table[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

/* Makes the guest's message the vector's route. Caller holds m->lock. */
static void update_route(struct pci_msix *m, unsigned int v)
{
	const struct pci_msix_entry *e = &m->table[v];
	uint64_t addr = ((uint64_t)e->addr_hi << 32) | e->addr_lo;
	int ret;

	ret = kvm_msi_set_route(m->msi, (uint32_t)m->gsi[v], addr, e->data);
	if (ret < 0)
		log_guest("%s: MSI-X vector %u: route failed: %s", m->dev->name,
			  v, strerror(-ret));
}

/* Delivers what became deliverable. Caller holds m->lock. */
static void fire_pending(struct pci_msix *m)
{
	if (!m->enabled)
		return;
	for (unsigned int v = 0; v < m->nvec; v++) {
		if (!(m->pba & (1ULL << v)) || vec_masked(m, v))
			continue;
		m->pba &= ~(1ULL << v);
		kvm_msi_signal(m->msi, (uint32_t)m->gsi[v]);
	}
}

void pci_msix_cfg_write(struct pci_msix *m, uint32_t off, uint32_t len)
{
	uint32_t ctl_off = m->cap + PCI_MSIX_FLAGS;
	uint16_t ctl;

	if (off > ctl_off + 1 || off + len <= ctl_off)
		return;
	ctl = (uint16_t)pci_get(&m->dev->cfg[ctl_off], 2);
	pthread_mutex_lock(&m->lock);
	m->enabled = ctl & PCI_MSIX_FLAGS_ENABLE;
	m->func_masked = ctl & PCI_MSIX_FLAGS_MASKALL;
	fire_pending(m);
	pthread_mutex_unlock(&m->lock);
}

/* Dword index into the table for an access, or -1 if it is not a naturally
 * aligned dword or qword inside the table. */
static int table_word(const struct pci_msix *m, uint64_t off, uint32_t len)
{
	if ((len != 4 && len != 8) || off % len ||
	    off + len > (uint64_t)m->nvec * PCI_MSIX_ENTRY_SIZE)
		return -1;
	return (int)(off / 4);
}

void pci_msix_table_read(struct pci_msix *m, uint64_t off, void *data,
			 uint32_t len)
{
	int w = table_word(m, off, len);

	memset(data, 0, len);
	if (w < 0)
		return;
	pthread_mutex_lock(&m->lock);
	memcpy(data, (uint32_t *)m->table + w, len);
	pthread_mutex_unlock(&m->lock);
}

void pci_msix_table_write(struct pci_msix *m, uint64_t off, const void *data,
			  uint32_t len)
{
	int w = table_word(m, off, len);
	unsigned int v = (unsigned int)w / 4;
	uint32_t *words = (uint32_t *)m->table;

	if (w < 0) {
		log_guest("%s: MSI-X table access off %#llx len %u dropped",
			  m->dev->name, (unsigned long long)off, len);
		return;
	}
	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < len / 4; i++) {
		uint32_t val = pci_get((const uint8_t *)data + 4 * i, 4);

		/* Only the mask bit of vector control is writable. */
		if ((w + i) % 4 == 3)
			val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
		words[w + i] = val;
	}
	/* A message takes effect while the vector is unmasked (a driver
	 * reprograms a live vector when it moves an IRQ between CPUs). */
	if (!(m->table[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT))
		update_route(m, v);
	fire_pending(m);
	pthread_mutex_unlock(&m->lock);
}

void pci_msix_pba_read(struct pci_msix *m, uint64_t off, void *data,
		       uint32_t len)
{
	uint64_t pba;

	memset(data, 0, len);
	if ((len != 4 && len != 8) || off % len || off + len > 8)
		return;
	pthread_mutex_lock(&m->lock);
	pba = m->pba;
	pthread_mutex_unlock(&m->lock);
	pci_put(data, (uint32_t)(pba >> (8 * off)), len < 4 ? len : 4);
	if (len == 8)
		pci_put((uint8_t *)data + 4, (uint32_t)(pba >> 32), 4);
}

bool pci_msix_enabled(struct pci_msix *m)
{
	return __atomic_load_n(&m->enabled, __ATOMIC_ACQUIRE);
}

int pci_msix_raise(struct pci_msix *m, uint16_t vec)
{
	int ret = 0;

	if (vec >= m->nvec)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	if (!m->enabled)
		ret = -ENODEV;
	else if (vec_masked(m, vec))
		m->pba |= 1ULL << vec;
	else
		kvm_msi_signal(m->msi, (uint32_t)m->gsi[vec]);
	pthread_mutex_unlock(&m->lock);
	return ret;
}
