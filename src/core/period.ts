/** The unit a `Period` was given in. */
export enum PeriodUnit {
  SECONDS = 'SECONDS',
  MINUTES = 'MINUTES',
  HOURS = 'HOURS',
  DAYS = 'DAYS',
}

const SECONDS_PER: Record<PeriodUnit, number> = {
  [PeriodUnit.SECONDS]: 1,
  [PeriodUnit.MINUTES]: 60,
  [PeriodUnit.HOURS]: 3600,
  [PeriodUnit.DAYS]: 86400,
};

const LABEL: Record<PeriodUnit, string> = {
  [PeriodUnit.SECONDS]: 'seconds',
  [PeriodUnit.MINUTES]: 'minutes',
  [PeriodUnit.HOURS]: 'hours',
  [PeriodUnit.DAYS]: 'days',
};

/**
 * A length of time for the Azure and Google constructs (rotation, expiry, retention, deletion windows), so a
 * Terraform-only app needs no aws-cdk-lib; the AWS constructs keep aws-cdk-lib's `Duration`.
 *
 * The amount is kept as given, in the unit given, and never validated here: this module knows no token system, and
 * a cdktf number token (`TerraformVariable.numberValue`) is an ordinary, very negative double. Each construct checks
 * a literal amount against its prop's range (naming the prop), and for a token either adds a Terraform variable
 * validation that enforces the same range at plan time or refuses it; every prop's doc comment says which.
 */
export class Period {
  /** A period of whole or fractional days (a literal or a cdktf number token). */
  public static days(amount: number): Period {
    return new Period(amount, PeriodUnit.DAYS);
  }

  /** A period of hours (a literal or a cdktf number token). */
  public static hours(amount: number): Period {
    return new Period(amount, PeriodUnit.HOURS);
  }

  /** A period of minutes (a literal or a cdktf number token). */
  public static minutes(amount: number): Period {
    return new Period(amount, PeriodUnit.MINUTES);
  }

  /** A period of seconds (a literal or a cdktf number token). */
  public static seconds(amount: number): Period {
    return new Period(amount, PeriodUnit.SECONDS);
  }

  /** The amount as given, which may be a cdktf number token. */
  public readonly amount: number;

  /** The unit `amount` is in. */
  public readonly unit: PeriodUnit;

  private constructor(amount: number, unit: PeriodUnit) {
    this.amount = amount;
    this.unit = unit;
  }

  /** Seconds in one `unit` (86400 for days), to scale a token amount in a Terraform expression. */
  public get secondsPerUnit(): number {
    return SECONDS_PER[this.unit];
  }

  /** The period in seconds, possibly fractional. Meaningless when `amount` is a token. */
  public toSeconds(): number {
    return this.amount * SECONDS_PER[this.unit];
  }

  /** The period in days, possibly fractional. Meaningless when `amount` is a token. */
  public toDays(): number {
    return this.unit === PeriodUnit.DAYS ? this.amount : this.toSeconds() / 86400;
  }

  /** The unit in words, plural: `days`, `hours`. */
  public unitLabel(): string {
    return LABEL[this.unit];
  }

  /** `1 day 12 hours`, for messages about a literal period. */
  public toHumanString(): string {
    let rest = this.toSeconds();
    if (!Number.isFinite(rest) || rest <= 0) return `${this.amount} ${LABEL[this.unit]}`;
    const parts: string[] = [];
    for (const [unit, name] of [[86400, 'day'], [3600, 'hour'], [60, 'minute']] as const) {
      const n = Math.floor(rest / unit);
      if (n > 0) parts.push(n === 1 ? `1 ${name}` : `${n} ${name}s`);
      rest -= n * unit;
    }
    if (rest > 0) parts.push(rest === 1 ? '1 second' : `${+rest.toFixed(3)} seconds`);
    return parts.join(' ');
  }
}
