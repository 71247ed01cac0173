// One text frame (RFC 6455 §5.2), built once per message and written as is to every socket that
// listens. `ws` frames each send itself (a header, two writes under cork, a writev per socket);
// for one event to a thousand sockets that was most of the fan-out's time. A server's frames are
// not masked, so the same bytes are valid on every connection.

/** FIN + opcode 0x1 (text), unmasked, with the 7-bit, 16-bit or 64-bit payload length. */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n <= 0xffff ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x81;
  if (n < 126) {
    frame[1] = n;
  } else if (n <= 0xffff) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}
