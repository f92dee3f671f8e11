/** Whether this machine keeps numbers little-endian (typed arrays use the machine's byte order). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
