// lua-health runs an Argo CD resource health script the way Argo CD does (its util/lua package),
// so the integration tests can check docs/argocd.md's script against real ContainerGroups without
// an Argo CD installation:
//
//	lua-health SCRIPT.lua < OBJECT.json
//
// It prints the health Argo CD would record, as JSON: {"status": "...", "message": "..."}. A script
// that fails to run, or returns something Argo CD would reject, exits 1 with the reason on stderr.
//
// What is reproduced, and why:
//   - gopher-lua (Lua 5.1), the VM Argo CD embeds.
//   - Only the libraries Argo CD opens for a script from argocd-cm (useOpenLibs unset): package,
//     base and table. So a script that calls string.* or math.* fails here as it would in Argo CD.
//     Argo CD also opens a reduced os library (time and date only); the doc's script needs none,
//     so it is left out rather than imitated.
//   - The object reaches Lua as Argo CD's does: Kubernetes' unstructured JSON decoding turns
//     integers into int64 and other numbers into float64, and Argo CD's decodeValue makes a map a
//     table with string keys, a list a 1-based array table and null nil.
//   - A one-second deadline on the script, as Argo CD sets.
//   - The result: the script's last return value must be a table; it is encoded to JSON and
//     decoded into {status, message}, and a status outside Argo CD's set becomes Unknown with
//     Argo CD's message.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// healthStatus is the part of Argo CD's HealthStatus a health script sets.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// validStatuses are Argo CD's health status codes (gitops-engine's HealthStatusCode).
var validStatuses = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

// invalidHealthStatus is the message Argo CD records when a script returns a status it does not know.
const invalidHealthStatus = "Lua returned an invalid health status"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: lua-health SCRIPT.lua < OBJECT.json (the object as JSON on standard input)")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("reading the script: %v", err)
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading the object from standard input: %v", err)
	}
	obj, err := decodeObject(input)
	if err != nil {
		fail("the object on standard input is not a JSON object: %v; pass e.g. `kubectl get cg NAME -o json`", err)
	}
	health, err := run(string(script), obj)
	if err != nil {
		fail("%v", err)
	}
	out, err := json.Marshal(health)
	if err != nil {
		fail("encoding the result: %v", err)
	}
	fmt.Println(string(out))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "lua-health: "+format+"\n", args...)
	os.Exit(1)
}

// decodeObject decodes JSON as Kubernetes' unstructured decoding does: integers int64, other
// numbers float64 (never json.Number, which Argo CD's decodeValue would turn into a string).
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	object, ok := convertNumbers(raw).(map[string]any)
	if !ok {
		return nil, errors.New("the top-level value is not an object")
	}
	return object, nil
}

func convertNumbers(value any) any {
	switch v := value.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = convertNumbers(v[i])
		}
		return v
	case map[string]any:
		for k := range v {
			v[k] = convertNumbers(v[k])
		}
		return v
	}
	return value
}

func run(script string, obj map[string]any) (*healthStatus, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return nil, fmt.Errorf("opening Lua library %q: %w", lib.name, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return nil, fmt.Errorf("the script failed: %w", err)
	}
	returned := l.Get(-1)
	table, ok := returned.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("expect table output from Lua script, not %s", returned.Type().String())
	}
	value, err := fromLua(table)
	if err != nil {
		return nil, fmt.Errorf("the returned table cannot be encoded as JSON: %w", err)
	}
	encoded, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("the returned table cannot be encoded as JSON: %w", err)
	}
	health := &healthStatus{}
	if err := json.Unmarshal(encoded, health); err != nil {
		return nil, fmt.Errorf("the returned table %s is not a health status (status and message must be strings): %w", encoded, err)
	}
	if !validStatuses[health.Status] {
		return &healthStatus{Status: "Unknown", Message: invalidHealthStatus}, nil
	}
	return health, nil
}

// toLua is Argo CD's decodeValue.
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		array := l.CreateTable(len(v), 0)
		for _, item := range v {
			array.Append(toLua(l, item))
		}
		return array
	case map[string]any:
		table := l.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(l, item))
		}
		return table
	}
	return lua.LNil
}

// fromLua turns a returned value into JSON-ready Go values as gopher-json (which Argo CD uses)
// does: a table with keys 1..n only is an array, a table with string keys an object.
func fromLua(value lua.LValue) (any, error) {
	switch v := value.(type) {
	case lua.LBool:
		return bool(v), nil
	case lua.LNumber:
		f := float64(v)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("number %v", f)
		}
		return f, nil
	case lua.LString:
		return string(v), nil
	case *lua.LTable:
		if v.MaxN() > 0 || isEmpty(v) {
			array := []any{}
			for i := 1; i <= v.MaxN(); i++ {
				item, err := fromLua(v.RawGetInt(i))
				if err != nil {
					return nil, err
				}
				array = append(array, item)
			}
			return array, nil
		}
		object := map[string]any{}
		var err error
		v.ForEach(func(key, item lua.LValue) {
			if err != nil {
				return
			}
			name, ok := key.(lua.LString)
			if !ok {
				err = fmt.Errorf("a table mixes string keys with key %s", key.String())
				return
			}
			object[string(name)], err = fromLua(item)
		})
		return object, err
	}
	if value == lua.LNil {
		return nil, nil
	}
	return nil, fmt.Errorf("a %s value", value.Type().String())
}

func isEmpty(t *lua.LTable) bool {
	key, _ := t.Next(lua.LNil)
	return key == lua.LNil
}
