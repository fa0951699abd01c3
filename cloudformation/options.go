package cloudformation

// Option configures an Evaluator (and Template.Evaluate).
type Option func(*Evaluator)

// WithRef makes Ref to a resource, and ${LogicalID} in Fn::Sub, evaluate to
// ref(logicalID, resourceType) instead of RefTo(logicalID).
func WithRef(ref func(logicalID, resourceType string) string) Option {
	return func(e *Evaluator) { e.refValue = ref }
}

// WithGetAtt makes Fn::GetAtt, and ${LogicalID.Attribute} in Fn::Sub, evaluate to
// getAtt(logicalID, resourceType, attribute) instead of AttOf(logicalID, attribute).
func WithGetAtt(getAtt func(logicalID, resourceType, attribute string) string) Option {
	return func(e *Evaluator) { e.attValue = getAtt }
}
