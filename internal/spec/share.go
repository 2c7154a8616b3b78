package spec

import "errors"

// checkShared: a shared kind is neither new nor joined.
func checkShared(s *Spec) error {
	var errs []error
	for _, ns := range AllNamespaces {
		if !s.Share[ns] {
			continue
		}
		if s.New[ns] {
			errs = append(errs, errorf(ShareField(ns), "%s namespace: both new and shared%s", ns, impliedBy(s, ns)))
		}
		if s.Join.From[ns] != "" {
			errs = append(errs, errorf(ShareField(ns), "%s namespace: both joined and shared", ns))
		}
	}
	return errors.Join(errs...)
}
