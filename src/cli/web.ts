// `pty-relay web`: the web terminal's URL, with a one-time login code in the fragment (never sent
// to a server; good once, for LOGIN_CODE_TTL_S): the long-lived key itself never goes in a URL.
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeQr } from '../client/qr';
import { qrToText } from '../client/qr-text';
import { probeWeb } from '../client/web-probe';
import { defaultRuntimeBase } from '../daemon/base/runtime-dir';
import { LOGIN_CODE_TTL_S, TOKEN_FILE, WebTokens, writeToken } from '../daemon/web/token';
import { RelayError } from '../errors';
import { validateSessionName } from '../protocol/session-name';
import * as cfg from './config';

export function buildWebCommand(): Command {
  return new Command('web')
    .description('print a link that signs a browser in to the web terminal, once, within 5 minutes (the daemon runs with --web)')
    .addOption(new Option('--port <port>', 'the daemon\'s port (through a tunnel, use the laptop\'s port in the browser)').env('PTY_RELAY_PORT').default(cfg.DEFAULT_PORT).argParser(cfg.parsePort))
    .addOption(new Option('--runtime-dir <dir>', 'the daemon\'s runtime directory').env('PTY_RELAY_RUNTIME_DIR'))
    .option('--watch [session]', 'print a read-only link instead: for one session, or for all of them')
    .option('--new-token', 'make a new key first: every earlier link and signed-in browser is locked out')
    .option('--no-check', 'do not check that the daemon serves the web terminal')
    .option('--qr', 'also print the link as a QR code, for a phone whose SSH app forwards the port')
    .action(async (o) => {
      const file = path.join(o.runtimeDir ?? defaultRuntimeBase(), TOKEN_FILE);
      if (o.newToken === true) writeToken(file);
      else if (!fs.existsSync(file)) {
        throw new RelayError('PR_ERR_WEB', `no web token in ${file}: start the daemon with --web (or PTY_RELAY_WEB=1), with the same --runtime-dir`);
      }
      const tokens = new WebTokens(file);
      const base = `http://localhost:${o.port}/`;
      let url: string;
      if (o.watch === undefined) url = `${base}#c=${tokens.loginCode()}`;
      else {
        const session = o.watch === true ? null : (o.watch as string);
        const err = session === null ? null : validateSessionName(session);
        if (err !== null) throw new RelayError('PR_ERR_USAGE', err);
        url = `${base}${session === null ? '' : `?s=${session}`}#w=${tokens.watchToken(session)}`;
      }
      if (o.check !== false) await probeWeb(o.port);
      if (o.qr === true) process.stdout.write(qrToText(encodeQr(url)));
      process.stdout.write(`${url}\n`);
      if (o.watch === undefined && process.stderr.isTTY) process.stderr.write(`(the link signs one browser in, within ${LOGIN_CODE_TTL_S / 60} minutes; run pty-relay web again for another)\n`);
    });
}
