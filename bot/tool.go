package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
)

// ToolSpec defines a tool whose arguments decode into Args.
type ToolSpec[Args any] struct {
	// Name is what the model calls the tool: 1 to 64 letters, digits, '_'
	// or '-'. It is a stable string, never derived from a Go type.
	Name string
	// Description tells the model what the tool does and when to use it.
	Description string
	// Schema is the JSON Schema of the arguments. Nil means inferred from
	// Args (see [DefineTool]).
	Schema *jsonschema.Schema
	// Handler runs the tool. Its result becomes the tool message the model
	// reads: a string as is, nil as "", anything else as JSON. A returned
	// error reaches the model as {"error": "..."}, as does a panic.
	Handler func(ctx context.Context, args Args, tc *ToolContext) (any, error)
}

// ToolContext is what a tool handler knows of the conversation it runs in.
type ToolContext struct {
	// Thread is the conversation the tool call belongs to.
	Thread *Thread
	// Message is the message that started the run.
	Message Message
	// User is the person who wrote Message.
	User User
	// Platform names the platform, as Adapter.Platform does.
	Platform string
	// CallID is the model's id for this tool call.
	CallID string
}

// Tool is a tool the model can call, made by [DefineTool]. It is immutable
// and may be registered with several bots.
type Tool struct {
	name        string
	description string
	params      json.RawMessage
	resolved    *jsonschema.Resolved
	call        func(ctx context.Context, args json.RawMessage, tc *ToolContext) (any, error)
	err         error
}

var toolNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// DefineTool turns a typed handler into a [Tool].
//
// Unless spec.Schema is set, the schema is inferred from Args by
// github.com/google/jsonschema-go: struct fields become properties named by
// their json tags, fields tagged omitempty or omitzero are optional and all
// others required, other properties are rejected, and a `jsonschema:"..."`
// tag gives a property's description. Parley adds enums: a field tagged
// `enum:"a,b,c"` (or a slice of such values) may hold only those values, and
// a type with an `Enum() []any` method (on its value) is limited to the
// values that method returns wherever it appears.
//
// Arguments the model sends are validated against the schema before the
// handler runs; invalid ones go back to the model as an error it can repair,
// and the handler never sees them.
//
// DefineTool checks the definition at once. It does not panic: a bad name, a
// missing handler or a type that has no JSON Schema is kept as the tool's
// error, returned by [Tool.Err] and by [Bot.Tool] when the tool is
// registered.
func DefineTool[Args any](spec ToolSpec[Args]) *Tool {
	t := &Tool{name: spec.Name, description: spec.Description}
	if !toolNameRE.MatchString(spec.Name) {
		t.err = fmt.Errorf("bot: tool name %q is invalid: it must match %s", spec.Name, toolNameRE)
		return t
	}
	if spec.Handler == nil {
		t.err = fmt.Errorf("bot: tool %q has no Handler", spec.Name)
		return t
	}
	schema := spec.Schema
	if schema == nil {
		var err error
		if schema, err = inferSchema[Args](); err != nil {
			t.err = fmt.Errorf("bot: tool %q: inferring the arguments' schema: %w", spec.Name, err)
			return t
		}
	}
	if schema.Type != "object" {
		t.err = fmt.Errorf("bot: tool %q: the arguments' schema must have type \"object\", as models require", spec.Name)
		return t
	}
	resolved, err := schema.Resolve(nil)
	if err != nil {
		t.err = fmt.Errorf("bot: tool %q: schema: %w", spec.Name, err)
		return t
	}
	if t.params, err = json.Marshal(schema); err != nil {
		t.err = fmt.Errorf("bot: tool %q: schema: %w", spec.Name, err)
		return t
	}
	t.resolved = resolved
	handler := spec.Handler
	t.call = func(ctx context.Context, raw json.RawMessage, tc *ToolContext) (any, error) {
		var args Args
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, &argumentError{path: "$", reason: err.Error()}
		}
		return handler(ctx, args, tc)
	}
	return t
}

// Name returns the tool's name.
func (t *Tool) Name() string { return t.name }

// Description returns the tool's description.
func (t *Tool) Description() string { return t.description }

// Schema returns the JSON Schema of the tool's arguments, as sent to the
// model.
func (t *Tool) Schema() json.RawMessage { return slices.Clone(t.params) }

// Err returns what is wrong with the tool's definition, or nil.
func (t *Tool) Err() error { return t.err }

func (t *Tool) def() ToolDef {
	return ToolDef{Name: t.name, Description: t.description, Parameters: t.params}
}

// argumentError is an argument the schema rejected, located by a path into
// the arguments ("$" is the whole object, "$.items[*].name" a field of every
// element).
type argumentError struct {
	path, reason string
}

func (e *argumentError) Error() string {
	return "invalid arguments: " + e.path + ": " + e.reason
}

// invoke validates raw against the tool's schema, then runs the handler,
// turning a panic into an error. A validation failure is an *argumentError
// and the handler does not run.
func (t *Tool) invoke(ctx context.Context, raw string, tc *ToolContext) (result any, err error) {
	if strings.TrimSpace(raw) == "" {
		raw = "{}" // some servers send nothing for a call without arguments
	}
	var instance any
	if err := json.Unmarshal([]byte(raw), &instance); err != nil {
		return nil, &argumentError{path: "$", reason: "not valid JSON: " + err.Error()}
	}
	if err := t.resolved.Validate(instance); err != nil {
		path, reason := locate(err)
		return nil, &argumentError{path: path, reason: reason}
	}
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return t.call(ctx, json.RawMessage(raw), tc)
}

// panicError is a handler's panic, recovered.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// locate turns a jsonschema-go validation error into a path into the
// arguments and a reason. The library reports the schema path of the
// innermost failure ("validating /properties/a/items: ..."); properties map
// to fields and items to every element, since the failing index is not
// reported.
func locate(err error) (path, reason string) {
	msg := err.Error()
	path = "$"
	for {
		rest, ok := strings.CutPrefix(msg, "validating ")
		if !ok {
			break
		}
		ptr, after, ok := strings.Cut(rest, ": ")
		if !ok {
			break
		}
		if ptr != "root" {
			path = instancePath(ptr)
		}
		msg = after
	}
	return path, msg
}

func instancePath(schemaPtr string) string {
	var b strings.Builder
	b.WriteByte('$')
	parts := strings.Split(strings.TrimPrefix(schemaPtr, "/"), "/")
	for i := 0; i < len(parts); i++ {
		switch parts[i] {
		case "properties", "patternProperties":
			if i+1 < len(parts) {
				i++
				b.WriteByte('.')
				b.WriteString(strings.NewReplacer("~1", "/", "~0", "~").Replace(parts[i]))
			}
		case "items", "additionalItems", "prefixItems":
			b.WriteString("[*]")
		case "additionalProperties":
			b.WriteString(".*")
		}
	}
	return b.String()
}

// toolMessage serializes a handler's outcome into the text the model reads.
// A result whose marshalling panics is reported like one that fails.
func toolMessage(result any, err error) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = errorJSON(fmt.Sprintf("the tool's result could not be serialized: panic: %v", p))
		}
	}()
	if err != nil {
		return errorJSON(err.Error())
	}
	switch v := result.(type) {
	case nil:
		return ""
	case string:
		return v
	case error:
		return errorJSON(v.Error())
	}
	b, merr := json.Marshal(result)
	if merr != nil {
		return errorJSON("the tool's result could not be serialized: " + merr.Error())
	}
	return string(b)
}

func errorJSON(msg string) string {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	return string(b)
}

// Enum is implemented by types whose values are limited to a fixed set. The
// schema of such a type lists Enum's values wherever the type appears in a
// tool's arguments.
type Enum interface {
	Enum() []any
}

var enumType = reflect.TypeFor[Enum]()

// inferSchema builds the schema of Args with jsonschema-go, then applies
// Parley's enum conventions.
func inferSchema[Args any]() (*jsonschema.Schema, error) {
	t := reflect.TypeFor[Args]()
	opts := &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{}}
	if err := collectEnums(t, opts.TypeSchemas, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	s, err := jsonschema.ForType(t, opts)
	if err != nil {
		return nil, err
	}
	if s.Type != "object" {
		return nil, fmt.Errorf("arguments must be a JSON object (a struct or map), not %s", t)
	}
	if err := applyEnumTags(t, s, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	return s, nil
}

// collectEnums finds every type reachable from t that implements Enum and
// gives it a schema of its base kind restricted to its values.
func collectEnums(t reflect.Type, out map[reflect.Type]*jsonschema.Schema, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	// Only value types: calling a value method through a nil pointer
	// panics, and pointers are handled through their element.
	if k := t.Kind(); k != reflect.Pointer && k != reflect.Interface && t.Implements(enumType) {
		values, err := enumValues(t)
		if err != nil {
			return err
		}
		base, err := jsonschema.ForType(t, &jsonschema.ForOptions{})
		if err != nil {
			return err
		}
		base.Enum = values
		out[t] = base
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return collectEnums(t.Elem(), out, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				if err := collectEnums(f.Type, out, seen); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// enumValues calls the Enum method of t's zero value, which is user code.
func enumValues(t reflect.Type) (values []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s.Enum panicked: %v", t, p)
		}
	}()
	values = reflect.Zero(t).Interface().(Enum).Enum()
	if len(values) == 0 {
		return nil, fmt.Errorf("%s.Enum returns no values", t)
	}
	return values, nil
}

// applyEnumTags walks t alongside its schema and restricts every property
// whose field carries an `enum:"..."` tag.
func applyEnumTags(t reflect.Type, s *jsonschema.Schema, seen map[reflect.Type]bool) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if s.Items != nil {
			return applyEnumTags(t.Elem(), s.Items, seen)
		}
	case reflect.Map:
		if s.AdditionalProperties != nil {
			return applyEnumTags(t.Elem(), s.AdditionalProperties, seen)
		}
	case reflect.Struct:
		if seen[t] {
			return nil
		}
		seen[t] = true
		defer delete(seen, t)
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && f.Tag.Get("json") == "" {
				// encoding/json flattens an untagged embedded struct into
				// its parent, and so does the schema.
				if err := applyEnumTags(f.Type, s, seen); err != nil {
					return err
				}
				continue
			}
			name := jsonName(f)
			if name == "" {
				continue
			}
			ps := s.Properties[name]
			if ps == nil {
				continue
			}
			if tag, ok := f.Tag.Lookup("enum"); ok {
				if err := setEnum(f, ps, tag); err != nil {
					return err
				}
				continue
			}
			if err := applyEnumTags(f.Type, ps, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func setEnum(f reflect.StructField, ps *jsonschema.Schema, tag string) error {
	ft := f.Type
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	target := ps
	if ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array {
		if ps.Items == nil {
			return fmt.Errorf("field %s: enum tag on a slice without item schema", f.Name)
		}
		target, ft = ps.Items, ft.Elem()
	}
	var values []any
	for _, v := range strings.Split(tag, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return fmt.Errorf("field %s: empty value in enum tag %q", f.Name, tag)
		}
		switch ft.Kind() {
		case reflect.String:
			values = append(values, v)
		default:
			var x any
			if err := json.Unmarshal([]byte(v), &x); err != nil {
				return fmt.Errorf("field %s: enum value %q does not fit the field's type %s", f.Name, v, ft)
			}
			values = append(values, x)
		}
	}
	target.Enum = values
	return nil
}

// jsonName returns the property name encoding/json uses for f, or "" if the
// field is not encoded.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}
