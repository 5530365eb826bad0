import { filterParams, limitParam } from '@/server/http/params';

/** Query parameters of GET /api/attributes/{key}/values: the list's filters and range, and how many values. */
export const attributeValuesQuery = filterParams.extend({
  limit: limitParam(200, 20),
});
