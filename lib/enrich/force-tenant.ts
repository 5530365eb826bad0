/**
 * Tenant forcing for spans sent with a tenant-scoped key: every span gets the key's
 * tenant as its tenant attribute, whatever it claimed (its own attribute, its
 * resource's, a header rule's or a static one). The resource's copy is rewritten
 * too, so the stored span never shows another tenant. Runs after the attribute
 * rules and before storing, so the promoted tenant column sees the forced value.
 *
 * Pure: returns new span objects with new attribute maps; the input is not changed.
 */
import { setAttr } from '../otlp/common';
import type { AttributeMap, SpanRecord } from '../otlp/span-record';

export function forceTenant(spans: readonly SpanRecord[], tenantAttribute: string, tenant: string): SpanRecord[] {
  const value = { stringValue: tenant };
  // Spans of one resource share its map: rewrite each map once.
  const resources = new Map<AttributeMap, AttributeMap>();
  return spans.map((span) => {
    const attributes = { ...span.attributes };
    setAttr(attributes, tenantAttribute, value);
    let resourceAttributes = span.resourceAttributes;
    if (Object.hasOwn(resourceAttributes, tenantAttribute)) {
      let rewritten = resources.get(resourceAttributes);
      if (!rewritten) {
        rewritten = { ...resourceAttributes };
        setAttr(rewritten, tenantAttribute, value);
        resources.set(resourceAttributes, rewritten);
      }
      resourceAttributes = rewritten;
    }
    return { ...span, attributes, resourceAttributes };
  });
}
