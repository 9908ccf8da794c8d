// The real imswitch and imtool for the browser tests: the switch starts on 127.0.0.1 port 0
// and is found through its ports file; imtool runs with a deadline. Every wait is bounded and
// woken by an event (the folder's changes, a child's output or exit), never by a fixed sleep.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const sourceDir = process.env.IMS_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../..');

export function scratchDir(prefix) {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), prefix));
}

// Resolves when check() returns a value, re-checked whenever `folder` changes and when `child`
// exits; rejects after timeoutMs with what().
function waitInFolder(folder, child, check, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let done = false;
    const watcher = fs.watch(folder);
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher.close();
      fn(v);
    };
    const timer = setTimeout(() => finish(reject, new Error(what())), timeoutMs);
    const poke = () => {
      try {
        const v = check();
        if (v !== undefined) finish(resolve, v);
      } catch (e) {
        finish(reject, e);
      }
    };
    watcher.on('change', poke);
    child.on('exit', () => setImmediate(poke));
    poke();
  });
}

// config/imswitch.yaml with the changes a test needs: `webRoot` sets sip.websocket.web_root.
// Nothing else changes: JsSIP must log in on the shipped configuration as it is.
export function sampleConfig(dir, { webRoot }) {
  let text = fs.readFileSync(path.join(sourceDir, 'config/imswitch.yaml'), 'utf8');
  if (webRoot !== undefined) {
    const line = /\n    web_root: .*\n/;
    if (!line.test(text)) throw new Error('config/imswitch.yaml has no sip.websocket.web_root line');
    text = text.replace(line, `\n    web_root: ${JSON.stringify(webRoot)}\n`);
  }
  const file = path.join(dir, 'imswitch.yaml');
  fs.writeFileSync(file, text);
  return file;
}

export class Switch {
  static async start({ webRoot, timeoutMs = 15000 }) {
    const bin = process.env.IMSWITCH_BIN;
    if (!bin || !fs.existsSync(bin)) throw new Error(`IMSWITCH_BIN (${bin}) is not the built imswitch`);
    const s = new Switch();
    s.dir = scratchDir('ims-browser-');
    s.logFile = path.join(s.dir, 'imswitch.log');
    const portsFile = path.join(s.dir, 'ports');
    const log = fs.openSync(s.logFile, 'w');
    s.child = spawn(bin, [
      '--config', sampleConfig(s.dir, { webRoot }), '--store', path.join(s.dir, 'imswitch.db'),
      '--listen', 'udp:127.0.0.1:0', '--listen', 'wss:127.0.0.1:0', '--listen', 'ws:127.0.0.1:0',
      '--http', '127.0.0.1:0', '--ports-file', portsFile,
    ], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    s.exited = new Promise((resolve) => s.child.on('exit', (code, signal) => resolve({ code, signal })));
    s.child.on('exit', () => { s.gone = true; });
    s.ports = await waitInFolder(s.dir, s.child, () => {
      if (s.gone) throw new Error(`imswitch exited at start:\n${s.log()}`);
      if (!fs.existsSync(portsFile)) return undefined;
      const lines = fs.readFileSync(portsFile, 'utf8').trim().split('\n');
      if (lines.length < 3) return undefined;
      const ports = {};
      for (const l of lines) {
        const [transport, , port] = l.split(' ');
        ports[transport] = Number(port);
      }
      return ports;
    }, timeoutMs, () => `imswitch wrote no ports file within ${timeoutMs} ms:\n${s.log()}`);
    return s;
  }

  log() {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  logTail(lines = 40) {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }

  // SIGTERM, then SIGKILL if it has not gone within graceMs; the exit status.
  async stop(graceMs = 5000) {
    if (!this.gone) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    fs.rmSync(this.dir, { recursive: true, force: true });
    return status;
  }
}

// imtool with `args`, `input` on its standard input; resolves with its exit status and output.
// Killed (and reported as timed out) past timeoutMs.
export function imtool(args, { input = '', timeoutMs = 30000 } = {}) {
  const bin = process.env.IMTOOL_BIN;
  if (!bin || !fs.existsSync(bin)) throw new Error(`IMTOOL_BIN (${bin}) is not the built imtool`);
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  child.stdin.end(input);
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}
