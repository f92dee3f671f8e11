import { useEffect, useState } from 'react';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

const sizeOf = (out: NodeJS.WriteStream): TerminalSize => ({
  columns: out.columns > 0 ? out.columns : 80,
  rows: out.rows > 0 ? out.rows : 24,
});

/**
 * The terminal's size, following SIGWINCH (`resize` on stdout). Our own: Ink does not listen for
 * resize when CI=true, and the layout depends on the width.
 */
export function useTerminalSize(out: NodeJS.WriteStream): TerminalSize {
  const [size, setSize] = useState(() => sizeOf(out));
  useEffect(() => {
    const onResize = () => {
      // A narrower terminal rewraps what Ink drew last, so its erase misses lines: start clean.
      out.write('\u001b[2J\u001b[3J\u001b[H');
      setSize(sizeOf(out));
    };
    out.on('resize', onResize);
    return () => {
      out.off('resize', onResize);
    };
  }, [out]);
  return size;
}
