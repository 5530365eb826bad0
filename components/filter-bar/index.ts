/** Filter bar of the trace pages (client components). */
export { FilterBar } from './filter-bar';
export type { FilterBarProps } from './filter-bar';
export { WhereBox } from './where-box';
export type { WhereBoxProps, WhereProblem } from './where-box';
export { TenantSelect } from './tenant-select';
export type { TenantSelectProps } from './tenant-select';
export { durationProblems, tenantSelection, underlineParts } from './derive';
export type { TenantSelection } from './derive';
export { TimeRangePicker } from './time-range-picker';
export type { TimeRange, TimeRangePickerProps } from './time-range-picker';
export { DurationInputs } from './duration-inputs';
export type { DurationBounds, DurationInputsProps } from './duration-inputs';
export { useSlashFocus, useAttributeKeys, useAttributeValues } from './hooks';
