package fakelambda

import (
	"errors"
	"slices"
	"testing"
)

func TestParseErrorDocument(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		headerType string
		want       FunctionError
	}{
		{
			name: "aws-lambda-go error",
			body: `{"errorMessage":"Unauthorized","errorType":"errorString"}`,
			want: FunctionError{Type: "errorString", Message: "Unauthorized"},
		},
		{
			name: "aws-lambda-go panic frames",
			body: `{"errorMessage":"boom","errorType":"string","stackTrace":[{"path":"main/main.go","line":42,"label":"handle"}]}`,
			want: FunctionError{Type: "string", Message: "boom", StackTrace: []string{"handle (main/main.go:42)"}},
		},
		{
			name:       "node error with trace",
			body:       `{"errorType":"Error","errorMessage":"Unauthorized","trace":["Error: Unauthorized","    at handler (/var/task/index.js:3:9)"]}`,
			headerType: "Error",
			want:       FunctionError{Type: "Error", Message: "Unauthorized", StackTrace: []string{"Error: Unauthorized", "    at handler (/var/task/index.js:3:9)"}},
		},
		{
			name: "python string stack trace",
			body: `{"errorMessage":"nope","errorType":"ValueError","stackTrace":["  File \"/var/task/app.py\", line 3\n"]}`,
			want: FunctionError{Type: "ValueError", Message: "nope", StackTrace: []string{"  File \"/var/task/app.py\", line 3\n"}},
		},
		{
			name:       "type only in the header",
			body:       `{"errorMessage":"bad"}`,
			headerType: "Runtime.Custom",
			want:       FunctionError{Type: "Runtime.Custom", Message: "bad"},
		},
		{
			name:       "not an error document",
			body:       `oops`,
			headerType: "Runtime.Raw",
			want:       FunctionError{Type: "Runtime.Raw", Message: "oops"},
		},
		{
			name: "JSON but not an error document",
			body: `{"hello":"world"}`,
			want: FunctionError{Type: "Unhandled", Message: `{"hello":"world"}`},
		},
		{
			name: "empty message is kept",
			body: `{"errorMessage":"","errorType":"Error"}`,
			want: FunctionError{Type: "Error", Message: ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrorDocument([]byte(tt.body), tt.headerType)
			if got.Type != tt.want.Type || got.Message != tt.want.Message || !slices.Equal(got.StackTrace, tt.want.StackTrace) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if got.Error() != tt.want.Message || got.Unwrap() != nil {
				t.Errorf("Error() = %q, Unwrap() = %v", got.Error(), got.Unwrap())
			}
		})
	}
}

func TestMadeErrors(t *testing.T) {
	tests := []struct {
		name    string
		err     *FunctionError
		is      []error
		isNot   []error
		message string
	}{
		{"timeout", timeoutError("id-1", 3), []error{ErrTimeout}, []error{ErrInitFailed, ErrRuntimeExit}, "RequestId: id-1 Error: Task timed out after 3.00 seconds"},
		{"exit", exitError("id-2", "exit status 2"), []error{ErrRuntimeExit}, []error{ErrTimeout}, "RequestId: id-2 Error: Runtime exited with error: exit status 2"},
		{"clean exit", exitError("id-3", "exit status 0"), []error{ErrRuntimeExit}, nil, "RequestId: id-3 Error: Runtime exited without providing a reason"},
		{"init timeout", initError(&FunctionError{Type: "Sandbox.Timedout", Message: "m"}, ErrTimeout), []error{ErrInitFailed, ErrTimeout}, []error{ErrRuntimeExit}, "m"},
		{"init error", initError(&FunctionError{Type: "Runtime.ImportModuleError", Message: "m"}, nil), []error{ErrInitFailed}, []error{ErrTimeout}, "m"},
		{"closed", closedError("id-4"), []error{ErrClosed}, []error{ErrRuntimeExit}, "RequestId: id-4 Error: function closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Error() != tt.message {
				t.Errorf("Error() = %q, want %q", tt.err.Error(), tt.message)
			}
			for _, target := range tt.is {
				if !errors.Is(tt.err, target) {
					t.Errorf("does not match %v", target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(tt.err, target) {
					t.Errorf("matches %v", target)
				}
			}
		})
	}
}
