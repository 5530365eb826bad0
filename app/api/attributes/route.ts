/**
 * GET /api/attributes — attribute keys seen (plus intrinsic fields), most frequent first.
 * The catalog is global, so a tenant-scoped reader gets the keys of its own tenant's
 * recent spans instead (counted over that sample), never another tenant's keys.
 */
import { listAttributeKeys, listTenantAttributeKeys } from '@/server/reads';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const { maxCatalogValues: maxValues } = serverConfig();
    const keys = scope === null ? await listAttributeKeys({ maxValues }) : await listTenantAttributeKeys({ tenant: scope, maxValues });
    return Response.json({ keys, tenantKey: serverConfig().tenantKey });
  });
}
