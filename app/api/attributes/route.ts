/** GET /api/attributes — attribute keys seen (plus intrinsic fields), most frequent first. */
import { getDb } from '@/db/client';
import { listAttributeKeys } from '@/db/queries/attributes';
import { withApiErrors } from '@/lib/errors';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return withApiErrors(async () => {
    const keys = await listAttributeKeys(await getDb(), { maxValues: serverConfig().maxCatalogValues });
    return Response.json({ keys, tenantKey: serverConfig().tenantKey });
  });
}
