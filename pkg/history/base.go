package history

import (
	"fmt"
	"path/filepath"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
)

// FindState looks in the history of the environment file at envPath for
// the state whose fingerprint is fp: the backup an apply took of it. It
// returns that state and the applies made since, oldest first (the last
// one's state after is the file at envPath), or nil when the history has
// no such state. Where the environment was in that state more than once
// (an apply and its undo), the latest time counts: the fewest applies
// since. A journal line whose backup is missing or does not hold that
// state is passed over.
func FindState(envPath, fp string) (*actions.BaseState, error) {
	if real, err := filepath.EvalSymlinks(envPath); err == nil {
		envPath = real
	}
	entries, err := History(envPath)
	if err != nil {
		return nil, err
	}
	hist := Dir(envPath)
	for k := len(entries) - 1; k >= 0; k-- {
		if entries[k].Before != fp || entries[k].Backup == "" || filepath.Base(entries[k].Backup) != entries[k].Backup {
			continue
		}
		env, got, err := load(filepath.Join(hist, entries[k].Backup))
		if err != nil || got != fp {
			continue
		}
		st := &actions.BaseState{Env: env}
		for j := k; j < len(entries); j++ {
			after := envPath
			if j+1 < len(entries) && entries[j+1].Backup != "" && filepath.Base(entries[j+1].Backup) == entries[j+1].Backup {
				after = filepath.Join(hist, entries[j+1].Backup)
			}
			st.Applies = append(st.Applies, actions.AppliedSince{
				Time:  entries[j].Time,
				After: func() (*artifacts.Environment, error) { return loadState(after) },
			})
		}
		return st, nil
	}
	return nil, nil
}

// BaseFinder returns FindState for the environment file at envPath, as
// actions.PlanOptions.FindBase takes it.
func BaseFinder(envPath string) func(string) (*actions.BaseState, error) {
	return func(fp string) (*actions.BaseState, error) { return FindState(envPath, fp) }
}

func loadState(path string) (*artifacts.Environment, error) {
	env, err := artifacts.Load(path)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return env, nil
}
