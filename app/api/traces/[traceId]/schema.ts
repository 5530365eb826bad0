import { filterParams } from '@/server/http/params';

/** Query parameters of GET /api/traces/{traceId}: the filters whose matching spans are listed. */
export const traceQuery = filterParams.pick({ where: true });
