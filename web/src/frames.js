// The terminal websocket's frames: a first byte naming the type, then the
// payload (see the API contract).

export const INPUT = 0x30; // '0': input (client → server) or output (server → client)
export const RESIZE = 0x31; // '1': {"cols":N,"rows":M}, client → server
export const CONTROL = 0x32; // '2': a JSON control message, server → client
export const ACK = 0x33; // '3': output bytes processed so far, in decimal, client → server

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// frame returns type followed by payload, a string (sent as UTF-8) or bytes.
export function frame(type, payload) {
  const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const out = new Uint8Array(bytes.length + 1);
  out[0] = type;
  out.set(bytes, 1);
  return out;
}

// binaryString returns the bytes of a string whose characters are bytes, as
// xterm's onBinary produces.
export function binaryString(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

// parseFrame splits a received message into its type and payload; text
// messages are accepted too, as UTF-8.
export function parseFrame(data) {
  const bytes = typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data);
  return { type: bytes[0], payload: bytes.subarray(1) };
}

// parseControl decodes a control payload, or returns null when it is not JSON.
export function parseControl(payload) {
  try {
    return JSON.parse(decoder.decode(payload));
  } catch {
    return null;
  }
}
