/**
 * Reading a figure of MetricValues by the field name a registry entry gives
 * (lib/metrics/registry.ts), for views laid out from the registry. Pure.
 */
import type { MetricValues } from './types';

/** The figure of `field` (undefined when its metric was not computed). */
export function figureOf(values: MetricValues, field: string): number | null | undefined {
  return (values as unknown as Record<string, number | null | undefined>)[field];
}

/** The sampling estimate named `field` (a field of `estimated`). */
export function estimateOf(values: MetricValues, field: string): number | null | undefined {
  return (values.estimated as Record<string, number | null | undefined>)[field];
}
