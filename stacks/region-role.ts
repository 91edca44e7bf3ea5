/** The roles a Region plays in the deployment; the same stage code builds both, the role comes from config. */
export const REGION_ROLES = ['primary', 'standby'] as const;

/**
 * `primary`: creates the Aurora global clusters and the DynamoDB global tables (with their replicas) and holds
 * the writers at first deploy. `standby`: joins the global clusters as a secondary and reads the replicas.
 */
export type RegionRole = (typeof REGION_ROLES)[number];
