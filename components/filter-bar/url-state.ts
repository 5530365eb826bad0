/** nuqs parsers of the filter bar's URL parameters, shared by every page that mounts the bar. */
import { parseAsString } from 'nuqs';

export const filterUrlParsers = {
  where: parseAsString.withDefault(''),
  since: parseAsString,
  from: parseAsString,
  to: parseAsString,
  minDur: parseAsString,
  maxDur: parseAsString,
};
