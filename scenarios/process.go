package scenarios

import (
	"context"
	"maps"
	"slices"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

// Process returns a Starter that runs a function as a real process under
// fakelambda's Runtime API host, the way Lambda runs it: base says which
// command or Node handler, and the scenario's environment is added to
// base.Env. Each start is a new cold function; its output feeds the LOG
// scenarios.
func Process(base fakelambda.Config) Starter {
	return func(ctx context.Context, env map[string]string) (*Instance, error) {
		cfg := base
		cfg.Env = slices.Clone(base.Env)
		for _, k := range slices.Sorted(maps.Keys(env)) {
			cfg.Env = append(cfg.Env, k+"="+env[k])
		}
		f, err := fakelambda.Start(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return &Instance{Target: f, Output: f.Output, Close: f.Close}, nil
	}
}
