// Entry point of the bundle. Multi-call: invoked as `pty-client` it is the attach client.
import * as path from 'node:path';
import { buildClientCommand } from './client';
import { buildProgram, main } from './relay';

const invokedAs = path.basename(process.argv[1] ?? '');
void main(process.argv, invokedAs === 'pty-client' ? buildClientCommand('pty-client') : buildProgram());
