/** Reads a request body into memory, refusing (without buffering the rest) once it passes a byte limit. */
export type BodyResult = { ok: true; body: Uint8Array } | { ok: false; tooLarge: true; limit: number };

export async function readBodyWithLimit(request: Request, limit: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return { ok: false, tooLarge: true, limit };
  if (!request.body) return { ok: true, body: new Uint8Array(0) };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return { ok: false, tooLarge: true, limit };
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return { ok: true, body: chunks[0] };
  const body = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return { ok: true, body };
}
