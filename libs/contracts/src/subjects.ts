/**
 * NATS subjects and JetStream stream names. Everything hangs off one prefix so that test runs
 * sharing a NATS server do not see each other's messages.
 */
export function subjects(prefix = 'jobdesk') {
  const streamPrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase();
  return {
    trackerCreate: `${prefix}.tracker.create`,
    trackerGet: `${prefix}.tracker.get`,
    trackerResult: `${prefix}.tracker.result`,
    trackerList: `${prefix}.tracker.list`,
    trackerCancel: `${prefix}.tracker.cancel`,
    trackerRetry: `${prefix}.tracker.retry`,
    trackerTransitions: `${prefix}.tracker.transitions`,
    trackerAuthenticate: `${prefix}.tracker.authenticate`,
    /** Worker events for one job (JetStream, stream `events`). */
    events: (jobId: string) => `${prefix}.events.${jobId}`,
    eventsAll: `${prefix}.events.>`,
    /** Live status changes (core NATS). */
    status: (tenant: string, jobId: string) => `${prefix}.status.${tenant}.${jobId}`,
    statusAll: `${prefix}.status.>`,
    /** A job canceled while it may be running (core NATS): the worker running it stops the attempt. */
    canceled: (jobId: string) => `${prefix}.canceled.${jobId}`,
    canceledAll: `${prefix}.canceled.*`,
    /** Finished jobs to notify about (JetStream, stream `notify`). */
    notify: (jobId: string) => `${prefix}.notify.${jobId}`,
    notifyAll: `${prefix}.notify.>`,
    /** Webhook delivery attempts, for the delivery log (JetStream, stream `deliveries`). */
    deliveries: (jobId: string) => `${prefix}.deliveries.${jobId}`,
    /** `webhook.attempts` batches, spread over a few subjects so job-tracker stores several at once. */
    deliveryBatches: (shard: number) => `${prefix}.deliveries.batch.${shard}`,
    deliveriesAll: `${prefix}.deliveries.>`,
    trackerDeliveries: `${prefix}.tracker.deliveries`,
    trackerRedeliver: `${prefix}.tracker.redeliver`,
    /** Per-tenant webhook endpoints and signing secrets (job-tracker). */
    webhooks: {
      createEndpoint: `${prefix}.tracker.webhooks.endpoint.create`,
      listEndpoints: `${prefix}.tracker.webhooks.endpoint.list`,
      getEndpoint: `${prefix}.tracker.webhooks.endpoint.get`,
      updateEndpoint: `${prefix}.tracker.webhooks.endpoint.update`,
      deleteEndpoint: `${prefix}.tracker.webhooks.endpoint.delete`,
      rotateEndpointSecret: `${prefix}.tracker.webhooks.endpoint.rotate`,
      endpointDeliveries: `${prefix}.tracker.webhooks.endpoint.deliveries`,
      getSecret: `${prefix}.tracker.webhooks.secret.get`,
      rotateSecret: `${prefix}.tracker.webhooks.secret.rotate`,
      getSettings: `${prefix}.tracker.webhooks.settings.get`,
      putSettings: `${prefix}.tracker.webhooks.settings.put`,
      /** notifier: secrets to sign a delivery with. */
      signingSecrets: `${prefix}.tracker.webhooks.signing`,
      /** Broadcast (core NATS) after a rotation or an endpoint change: caches drop the tenant. */
      changed: `${prefix}.webhooks.changed`,
    },
    streams: {
      events: `${streamPrefix}_EVENTS`,
      notify: `${streamPrefix}_NOTIFY`,
      deliveries: `${streamPrefix}_DELIVERIES`,
    },
    consumers: {
      tracker: 'job-tracker',
      notifier: 'notifier',
      trackerDeliveries: 'job-tracker-deliveries',
    },
  };
}
export type Subjects = ReturnType<typeof subjects>;
