import { beforeTempDirRemoval } from '../../helpers/cleanup.js';
import { sweepDirectory } from './secrets.js';

// Every file a resilience test leaves in its temporary directories is searched for the test credentials.
beforeTempDirRemoval(sweepDirectory);
