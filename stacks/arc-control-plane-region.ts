/**
 * The Region that hosts the Route 53 Application Recovery Controller control plane (clusters, control panels,
 * routing controls, safety rules). ARC has no other control-plane Region, so this is the only Region literal
 * the stacks contain; every workload Region comes from the configuration.
 */
export const ARC_CONTROL_PLANE_REGION = 'us-west-2';
