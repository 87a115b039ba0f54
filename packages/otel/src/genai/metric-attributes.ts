import type { Attributes } from '@opentelemetry/api';
import { ATTR } from './attributes.js';
import type { MetricAttributeSets } from './metrics.js';

/** Past this many model pairs per client and method, sets are built per call instead of kept. */
const MAX_CACHED_MODEL_PAIRS = 256;

/**
 * The metric attribute sets of one client's calls to one operation, built once per (request model,
 * response model) rather than three objects per call: calls repeat the same few models, and fewer
 * short-lived objects means less garbage on the hot path. Failed calls (their `error.type` varies)
 * get fresh sets. Cached sets are frozen: they are shared by every call and kept by sdk-metrics.
 */
export class MetricAttributeCache {
  private readonly byRequestModel = new Map<
    string | undefined,
    Map<string | undefined, MetricAttributeSets>
  >();
  private size = 0;

  /** `base`: operation, provider and server attributes, fixed for the client and operation. */
  constructor(private readonly base: Attributes) {}

  sets(requestModel?: string, responseModel?: string, errorType?: string): MetricAttributeSets {
    if (errorType !== undefined) return this.build(requestModel, responseModel, errorType);
    let byResponseModel = this.byRequestModel.get(requestModel);
    let found = byResponseModel?.get(responseModel);
    if (found) return found;
    found = this.build(requestModel, responseModel, undefined);
    if (this.size >= MAX_CACHED_MODEL_PAIRS) return found;
    if (!byResponseModel) this.byRequestModel.set(requestModel, (byResponseModel = new Map()));
    byResponseModel.set(responseModel, found);
    this.size++;
    return found;
  }

  private build(
    requestModel: string | undefined,
    responseModel: string | undefined,
    errorType: string | undefined,
  ): MetricAttributeSets {
    const call: Attributes = { ...this.base };
    if (requestModel) call[ATTR.requestModel] = requestModel;
    if (responseModel) call[ATTR.responseModel] = responseModel;
    if (errorType) call[ATTR.errorType] = errorType;
    return {
      call: Object.freeze(call),
      inputTokens: Object.freeze({ ...call, [ATTR.tokenType]: 'input' }),
      outputTokens: Object.freeze({ ...call, [ATTR.tokenType]: 'output' }),
    };
  }
}
