import { toRunId, toSliceId, toSliceSetId, type RunId, type SliceId } from '../../core/ids.js';

const runId = toRunId(1);
const sliceId = toSliceId(1);
const byRun = (id: RunId) => id;
const bySlice = (id: SliceId) => id;

byRun(runId);
bySlice(sliceId);
// Ids are numbers where a number is wanted.
Math.max(runId, sliceId);
// @ts-expect-error a slice id is not a run id
byRun(sliceId);
// @ts-expect-error a slice set id is not a slice id
bySlice(toSliceSetId(1));
// @ts-expect-error a bare number is not an id: it goes through toRunId
byRun(1);
