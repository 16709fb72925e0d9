/** Where the built app serves the ImageNet weights of each precision (under Vite's base URL, this worker's origin). */
import { type ImagenetPrecision, imagenetPublicPath } from '../tf/imagenet-precision';

export const imagenetUrl = (precision: ImagenetPrecision): string =>
  new URL(import.meta.env.BASE_URL + imagenetPublicPath(precision), self.location.href).href;
