/** One dependency the app needs to do its work; `check` throws when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** Injection token: the app's ReadinessCheck[]. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
