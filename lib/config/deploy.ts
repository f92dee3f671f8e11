import { parseDocument } from 'yaml';
import { MjolnirError } from '../core/index.js';
import { MODEL_CLASSIFIER_ID } from '../strategy/index.js';

/**
 * A paper config trading `modelId`, from the training config's text: the same exchange, stream,
 * costs and risk, `strategy.model` set, the `train` section dropped; comments are kept.
 */
export function deployedConfigText(trainingConfig: string, modelId: string): string {
  const document = parseDocument(trainingConfig);
  if (document.errors.length > 0)
    throw new MjolnirError('config_invalid', `the training config: ${document.errors[0]!.message}`);
  if (document.getIn(['strategy', 'id']) !== MODEL_CLASSIFIER_ID)
    throw new MjolnirError(
      'config_invalid',
      `the training config's strategy.id is not ${MODEL_CLASSIFIER_ID}`,
    );
  document.setIn(['strategy', 'model'], modelId);
  document.deleteIn(['train']);
  return document.toString();
}
