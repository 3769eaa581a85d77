/**
 * slicewatch's library entry (`import { sliceGeometry } from 'slicewatch'`): the exact slices of
 * the paper, and the pieces that train and attack the models they are taken of.
 */
export {
  sliceGeometry,
  pixelToPlane,
  pixelToPoint,
  planeToPoint,
  pointToPlane,
  pointToPixel,
  type SliceGeometry,
  type SliceOptions,
} from './slices/geometry.js';
export type { PlanePoint, PlaneRect } from './slices/clip.js';
export { SliceDegenerateError, SliceInputError } from './slices/errors.js';
