// The browser demo page (switch/app/web/demo.html) in Debian's headless Chromium against the
// real imswitch: the page comes from the switch's wss and ws ports, logs in with JsSIP, and
// exchanges pager MESSAGEs with imtool and with a second JsSIP agent, takes an IM-session
// invitation through the pager bridge by replying and ends it; a wrong password is
// refused cleanly; without JsSIP the page says how to get it. Traffic stays on 127.0.0.1.
//
// Needs /usr/bin/chromium and `npm ci` in this folder (tools/dev/imswitch-dev test does both);
// without them every test fails and says so.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Switch, imtool, scratchDir } from './switch.mjs';

const here = import.meta.dirname;
const chromiumPath = '/usr/bin/chromium';
const jssipDist = path.join(here, 'node_modules/jssip/dist');
const wait = 15000;  // for anything the page should show: it all happens on loopback

function missingTools() {
  const problems = [];
  if (!fs.existsSync(chromiumPath)) problems.push(`${chromiumPath} is missing (apt-get install chromium)`);
  if (!fs.existsSync(path.join(here, 'node_modules/playwright-core')))
    problems.push('playwright-core is missing (npm ci in tests/browser)');
  if (!fs.existsSync(path.join(jssipDist, 'jssip.min.js')))
    problems.push('jssip is missing (npm ci in tests/browser)');
  return problems;
}

let browser;     // one persistent context with a fresh profile
let profileDir;

before(async () => {
  const problems = missingTools();
  if (problems.length)
    throw new Error('browser tests cannot run: ' + problems.join('; ') +
                    '. tools/dev/imswitch-dev test installs all of it.');
  const { chromium } = await import('playwright-core');
  profileDir = scratchDir('ims-chromium-');
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    ignoreHTTPSErrors: true,  // the switch's self-signed certificate
    timeout: 30000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  browser.setDefaultTimeout(wait);
});

after(async () => {
  if (browser) await browser.close();
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
});

// A fresh tab on the switch's demo page, with the page's console kept for failure messages.
async function openDemo(url) {
  const page = await browser.newPage();
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  const response = await page.goto(url);
  assert.equal(response.status(), 200);
  return page;
}

async function logIn(page, login, password) {
  await page.locator('#page-ready[data-ready="yes"]').waitFor({ state: 'attached' });
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('#connect');
}

async function expectState(page, state, sw) {
  try {
    await page.locator(`#state[data-state="${state}"]`).waitFor();
  } catch (e) {
    const shown = await page.textContent('#state');
    throw new Error(`the page did not reach "${state}" (shows "${shown}")\n` +
                    `page console:\n${page.consoleLines.join('\n')}\nswitch log:\n${sw.logTail()}`);
  }
}

function incoming(page, text) {
  return page.locator('#log li[data-dir="in"]', { hasText: text });
}

// The page logs alice in; imtool's bob sends her a pager message, which the page shows and
// whose sender it offers as the reply's target; her reply reaches bob's imtool agent.
async function exchangeWithImtool(sw, scheme, port) {
  const page = await openDemo(`${scheme}://127.0.0.1:${port}/`);
  assert.equal(await page.inputValue('#server'), `${scheme === 'https' ? 'wss' : 'ws'}://127.0.0.1:${port}/`);
  assert.equal(await page.inputValue('#domain'), '127.0.0.1');
  await logIn(page, 'alice', 'pw-alice');
  await expectState(page, 'registered', sw);

  // bob logs in, sends, and waits for her answer (each step bounded by imtool's /wait).
  const bob = imtool(['agent', '--plain', '--server', `127.0.0.1:${sw.ports.udp}`,
                      '--login', 'bob', '--password', 'pw-bob'], {
    input: `/wait loggedin 10\n/send alice hello from imtool over ${scheme}\n/wait message 20\n/quit\n`,
  });
  await incoming(page, `hello from imtool over ${scheme}`).waitFor();
  assert.equal(await incoming(page, 'hello from imtool').locator('.who').textContent(), 'bob: ');
  assert.equal(await page.inputValue('#to'), 'bob');

  await page.fill('#text', `hi bob, alice here — ünïcode over ${scheme}`);
  await page.click('#send');
  await page.locator('#log li[data-dir="out"][data-status="delivered"]').waitFor();

  const result = await bob;
  assert.equal(result.timedOut, false, result.output);
  assert.match(result.output, /pager message to alice delivered/);
  assert.match(result.output, new RegExp(`alice: hi bob, alice here — ünïcode over ${scheme}`));
  await page.close();
}

describe('demo page', () => {
  let sw;
  before(async () => { sw = await Switch.start({ webRoot: jssipDist }); });
  after(async () => {
    if (!sw) return;
    const status = await sw.stop();
    assert.equal(status.code, 0, `imswitch did not stop cleanly:\n${sw.logTail()}`);
  });

  test('is served with JsSIP on the wss port', async () => {
    const page = await openDemo(`https://127.0.0.1:${sw.ports.wss}/`);
    const script = await page.request.get(`https://127.0.0.1:${sw.ports.wss}/jssip.min.js`);
    assert.equal(script.status(), 200);
    assert.match(script.headers()['content-type'], /^text\/javascript/);
    assert.equal(await script.text(), fs.readFileSync(path.join(jssipDist, 'jssip.min.js'), 'utf8'));
    for (const other of ['/jssip.js', '/../imswitch.yaml', '/%2e%2e/imswitch.yaml', '/favicon.ico'])
      assert.equal((await page.request.get(`https://127.0.0.1:${sw.ports.wss}${other}`)).status(), 404, other);
    await page.close();
  });

  test('logs in over WSS and exchanges pager messages with imtool both ways', { timeout: 60000 },
       () => exchangeWithImtool(sw, 'https', sw.ports.wss));

  test('logs in over WS and exchanges pager messages with imtool both ways', { timeout: 60000 },
       () => exchangeWithImtool(sw, 'http', sw.ports.ws));

  test('shows the inner text of a message/cpim body, and talks to another JsSIP agent', { timeout: 60000 }, async () => {
    const page = await openDemo(`https://127.0.0.1:${sw.ports.wss}/`);
    await logIn(page, 'carol', 'pw-carol');
    await expectState(page, 'registered', sw);

    // dave is JsSIP itself, driven in a second tab: CPIM (RFC 3862) in, plain text back.
    const dave = await openDemo(`https://127.0.0.1:${sw.ports.wss}/`);
    await dave.locator('#page-ready[data-ready="yes"]').waitFor({ state: 'attached' });
    const cpim = 'From: <sip:dave@127.0.0.1>\r\nTo: <sip:carol@127.0.0.1>\r\nDateTime: 2026-12-03T08:01:56Z\r\n' +
                 '\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nwrapped in CPIM';
    const sent = await dave.evaluate(({ port, body }) => new Promise((resolve) => {
      const ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(`wss://127.0.0.1:${port}/`)],
                                uri: 'sip:dave@127.0.0.1', password: 'pw-dave', register: false });
      window.daveUa = ua;
      ua.on('connected', () => ua.sendMessage('sip:carol@127.0.0.1', body, {
        contentType: 'message/cpim',
        eventHandlers: {
          succeeded: (e) => resolve(e.response.status_code),
          failed: (e) => resolve(e.response ? e.response.status_code : e.cause),
        },
      }));
      ua.start();
    }), { port: sw.ports.wss, body: cpim });
    assert.equal(sent, 200, sw.logTail());
    const line = incoming(page, 'wrapped in CPIM');
    await line.waitFor();
    assert.equal(await line.locator('.text').textContent(), 'wrapped in CPIM');
    await dave.evaluate(() => window.daveUa.stop());
    await dave.close();
    await page.close();
  });

  // The seed's IM session with a browser agent, through the pager bridge: imtool's grace
  // invites frank; the page shows the invitation as a message, frank accepts by replying,
  // receives grace's next line, and ends the session with /end, which ends grace's side too.
  test('takes an IM-session invitation by replying, and ends it with /end', { timeout: 60000 }, async () => {
    const page = await openDemo(`https://127.0.0.1:${sw.ports.wss}/`);
    await logIn(page, 'frank', 'pw-frank');
    await expectState(page, 'registered', sw);

    const grace = imtool(['im', '--server', `127.0.0.1:${sw.ports.udp}`, '--login', 'grace',
                          '--password', 'pw-grace', '--wait', '--json', '--timeout', '40',
                          '-m', 'thanks for taking order 1234', 'frank', 'can you help with order 1234?'],
                         { timeoutMs: 45000 });
    const invitation = incoming(page, 'can you help with order 1234?');
    await invitation.waitFor();
    assert.match(await invitation.locator('.text').textContent(), /^IM from .*reply to accept, \/reject to decline/);

    await page.fill('#text', 'on it');  // the reply goes to the last sender: the invitation's
    await page.click('#send');
    await incoming(page, 'thanks for taking order 1234').waitFor();

    await page.fill('#text', '/end');
    await page.click('#send');
    const result = await grace;
    assert.equal(result.timedOut, false, result.output + sw.logTail());
    assert.equal(result.code, 0, result.output);
    const outcome = JSON.parse(result.output.trim().split('\n').pop());
    const texts = JSON.stringify(outcome);
    assert.match(texts, /on it/);
    assert.match(texts, /thanks for taking order 1234/);
    await page.close();
  });

  test('a wrong password is refused cleanly', { timeout: 60000 }, async () => {
    const page = await openDemo(`https://127.0.0.1:${sw.ports.wss}/`);
    await logIn(page, 'erin', 'not-her-password');
    await expectState(page, 'failed', sw);
    assert.match(await page.textContent('#state'), /Authentication Error, 401/);
    assert.match(await page.textContent('#problem'), /Login refused: check the login and password/);
    assert.equal(await page.isEnabled('#connect'), true);
    assert.equal(await page.isEnabled('#send'), false);
    // The switch is still there for the right password, from the same page.
    await page.fill('#password', 'pw-erin');
    await page.click('#connect');
    await expectState(page, 'registered', sw);
    await page.close();
  });
});

describe('demo page without JsSIP', () => {
  let sw;
  let emptyRoot;
  before(async () => {
    emptyRoot = scratchDir('ims-no-jssip-');
    sw = await Switch.start({ webRoot: emptyRoot });
  });
  after(async () => {
    if (sw) await sw.stop();
    fs.rmSync(emptyRoot, { recursive: true, force: true });
  });

  test('says how to get it', async () => {
    const page = await openDemo(`http://127.0.0.1:${sw.ports.ws}/`);
    const problem = page.locator('#problem');
    await problem.waitFor();
    assert.match(await problem.textContent(), /JsSIP is not installed.*npm ci.*tools\/web/);
    assert.equal(await page.isEnabled('#connect'), false);
    assert.match(sw.log(), /no jssip\.min\.js in/);
    await page.close();
  });
});
