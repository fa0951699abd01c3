package fakelambda_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

type echoEvent struct {
	N int `json:"n"`
}

type echoResponse struct {
	Echo string `json:"echo"`
}

// TestHandlerFuncConcurrent invokes one handler from many goroutines and
// checks every response belongs to its own request: the property
// lambda.NewHandler's pooled buffers do not have.
func TestHandlerFuncConcurrent(t *testing.T) {
	h := fakelambda.HandlerFunc[echoEvent, echoResponse](func(_ context.Context, e echoEvent) (echoResponse, error) {
		return echoResponse{Echo: strconv.Itoa(e.N)}, nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			out, err := h.Invoke(context.Background(), fmt.Appendf(nil, `{"n":%d}`, i))
			if err != nil {
				errs <- err
				return
			}
			if want := fmt.Sprintf(`{"echo":"%d"}`, i); string(out) != want {
				errs <- fmt.Errorf("request %d got %s", i, out)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHandlerFuncErrors(t *testing.T) {
	unauthorized := errors.New("Unauthorized")
	h := fakelambda.HandlerFunc[echoEvent, echoResponse](func(context.Context, echoEvent) (echoResponse, error) {
		return echoResponse{}, unauthorized
	})
	if _, err := h.Invoke(context.Background(), []byte(`{"n":1}`)); !errors.Is(err, unauthorized) || err.Error() != "Unauthorized" {
		t.Errorf("handler error came back as %v", err)
	}
	if _, err := h.Invoke(context.Background(), []byte(`not json`)); err == nil {
		t.Error("a payload that is not JSON was accepted")
	}
}
