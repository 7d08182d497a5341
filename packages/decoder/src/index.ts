export { foregroundProbability, maskedPixelCrossEntropy, weightedPixelCrossEntropy } from './pixel-loss.js';
export {
  BASE_DECODER_CHANNELS,
  buildUnetDecoder,
  decoderChannels,
  type UnetDecoder,
  type UnetDecoderOptions,
} from './unet-decoder.js';
