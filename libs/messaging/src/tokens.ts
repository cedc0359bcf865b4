/** The subject set of this process (built from NATS_PREFIX). */
export const SUBJECTS = Symbol('SUBJECTS');
