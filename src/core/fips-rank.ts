import { FipsLevel } from './fips';

const RANK: Record<FipsLevel, number> = {
  [FipsLevel.LEVEL_1]: 1,
  [FipsLevel.LEVEL_2]: 2,
  [FipsLevel.LEVEL_3]: 3,
};

export function fipsLevelRank(level: FipsLevel): number {
  return RANK[level];
}

export function fipsLevelLabel(level: FipsLevel): string {
  return `FIPS 140 Level ${RANK[level]}`;
}
