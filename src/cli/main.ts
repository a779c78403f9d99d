// Entry point of the bundle. Multi-call: invoked as `pty-client` it would be the client.
import { main } from './relay';

void main(process.argv);
