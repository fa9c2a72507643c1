// Worker threads do not inherit the TypeScript loader of `node --import tsx`: register it here.
import { register } from 'tsx/esm/api';

register();
await import('./demo-history.ts');
