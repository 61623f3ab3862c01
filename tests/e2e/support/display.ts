import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A private X display (Xvfb) for browsers with their real window and keyboard, and xdotool to type on it. */
export interface VirtualDisplay {
  /** e.g. ":99", for the browser's DISPLAY. */
  display: string;
  /** Keys as the user presses them, e.g. "alt+shift+k", to the focused window (the browser's). */
  press(keys: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts Xvfb on a display number it chooses itself (`-displayfd`: the first
 * free one, no fixed number), without TCP, and stops it exactly. Browser
 * keyboard shortcuts (extension commands) are handled by the browser's own
 * window, not the page, so DevTools' synthetic key events never reach them:
 * a test of the shortcuts needs a real window and real key events.
 */
export async function startDisplay(): Promise<VirtualDisplay> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x900x24'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start in 10 s: ${err.trim()}`)), 10_000);
    xvfb.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    xvfb.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb could not start (apt-get install xvfb): ${error.message}`));
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${err.trim()}`));
    });
  });
  const env = { ...process.env, DISPLAY: display };
  return {
    display,
    async press(keys) {
      await run('xdotool', ['key', '--clearmodifiers', keys], { env });
    },
    async close() {
      if (xvfb.exitCode !== null) return;
      const exited = new Promise((resolve) => xvfb.once('exit', resolve));
      xvfb.kill('SIGTERM');
      await exited;
    },
  };
}
