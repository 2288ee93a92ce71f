//go:build windows

package statedir

import "testing"

func TestResolveDefaultWindows(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"LOCALAPPDATA", map[string]string{"LOCALAPPDATA": `C:\Users\u\AppData\Local`, "HOME": `C:\Users\u`, "XDG_STATE_HOME": `C:\xdg`}, `C:\Users\u\AppData\Local\kmsctl`},
		{"env var beats LOCALAPPDATA", map[string]string{EnvVar: `D:\state`, "LOCALAPPDATA": `C:\lad`}, `D:\state`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve("", env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Resolve("", env(map[string]string{"HOME": `C:\Users\u`})); err == nil {
		t.Fatal("Resolve without LOCALAPPDATA succeeded")
	}
}
