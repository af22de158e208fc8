/* css_cmd: a command's data area, for control units (see css.h).
 *
 * PoP ch. 15 "Count", "Suppress-Length-Indication Flag" and "Skip Flag",
 * with the virtio-ccw reading of them (virtio 1.3 §4.3.1.1): the data area
 * is the concatenation of the pieces data chaining and IDAWs gave it, and a
 * control unit checks the count against what the command needs first.
 */
#include "css.h"

#include <errno.h>

enum css_status css_cmd_want(struct css_cmd *cmd, uint32_t len)
{
	if (cmd->count == len)
		return CSS_OK;
	if (cmd->count > len) /* too long: fine if the driver said so */
		return cmd->sli ? CSS_OK : CSS_BAD_LENGTH;
	/* Too short: with SLI it is a check condition, not a length error. */
	return cmd->sli ? CSS_REJECT : CSS_BAD_LENGTH;
}

enum css_status css_cmd_want_upto(struct css_cmd *cmd, uint32_t len)
{
	if (cmd->count <= len)
		return CSS_OK;
	return cmd->sli ? CSS_OK : CSS_BAD_LENGTH;
}

/* Copies [off, off + len) between buf and the pieces it spans. */
static int copy(struct css_cmd *cmd, uint32_t off, uint8_t *buf, uint32_t len,
		bool to_guest)
{
	uint32_t end = off + len, pos = 0;

	if (off > cmd->count || len > cmd->count - off)
		return -EINVAL;
	for (unsigned int i = 0; i < cmd->nr_segs && off < end; i++) {
		const struct css_seg *s = &cmd->seg[i];
		uint32_t in, n;
		int r = 0;

		if (off >= pos + s->len) {
			pos += s->len;
			continue;
		}
		in = off - pos;
		n = s->len - in < end - off ? s->len - in : end - off;
		if (!to_guest)
			r = gmem_read(cmd->mem, s->gpa + in, buf, n);
		else if (!s->skip)
			r = gmem_write(cmd->mem, s->gpa + in, buf, n);
		if (r)
			return -EFAULT;
		buf += n;
		off += n;
		pos += s->len;
	}
	if (end > cmd->done)
		cmd->done = end;
	return 0;
}

int css_cmd_read(struct css_cmd *cmd, uint32_t off, void *dst, uint32_t len)
{
	return copy(cmd, off, dst, len, false);
}

int css_cmd_write(struct css_cmd *cmd, uint32_t off, const void *src,
		  uint32_t len)
{
	/* copy() only reads from buf when it writes to the guest. */
	return copy(cmd, off, (uint8_t *)src, len, true);
}
