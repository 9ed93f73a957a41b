package cluster

// EnvParentPipeForTest is the variable that tells a worker its standard
// input is a pipe from whoever started it, closed when that process dies:
// the netns test starts workers itself and wants that guarantee too.
const EnvParentPipeForTest = envParent
