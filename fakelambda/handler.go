package fakelambda

import (
	"context"
	"encoding/json"
	"fmt"
)

// HandlerFunc runs a typed Lambda handler in-process with the Target shape,
// Invoke(ctx, payload) ([]byte, error): the event is decoded from JSON, the
// response encoded to JSON, and a handler error returned as it is (so an
// authorizer's "Unauthorized" reads the same as from a process).
//
// It exists because aws-lambda-go's lambda.NewHandler returns bytes from a
// pooled buffer that is recycled as Invoke returns: fine for the Runtime
// API's one-invocation-at-a-time loop, wrong for a gateway that invokes the
// same handler from many goroutines. HandlerFunc allocates per invocation
// and is safe for concurrent use if the handler is.
type HandlerFunc[E, R any] func(ctx context.Context, event E) (R, error)

// Invoke decodes payload into the event type, calls the handler and encodes
// its response.
func (h HandlerFunc[E, R]) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var event E
	if err := json.Unmarshal(payload, &event); err != nil {
		return nil, fmt.Errorf("fakelambda: decoding the event: %w", err)
	}
	response, err := h(ctx, event)
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(response)
	if err != nil {
		return nil, fmt.Errorf("fakelambda: encoding the response: %w", err)
	}
	return out, nil
}
