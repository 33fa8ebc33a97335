package openai_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
	"github.com/parleybot/parley/model/openai/openaitest"
)

func ExampleNew() {
	// A model served by a local Ollama: no API key needed. Fields left
	// empty come from OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL.
	m := openai.New(openai.Config{
		BaseURL: "http://localhost:11434/v1",
		Model:   "llama3.2",
	})
	fmt.Println(m.Name())
	// Output: llama3.2
}

func ExampleModel_Generate() {
	// In a test, pass the test's t; examples have none.
	t := &exampleT{}
	defer t.cleanup()

	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "It is sunny in Paris."})
	m := openai.New(openai.Config{BaseURL: srv.URL, APIKey: "sk-test"})

	resp, err := m.Generate(context.Background(), &bot.ModelRequest{
		Instructions: "You answer weather questions.",
		Messages:     []bot.ModelMessage{{Role: bot.RoleUser, Name: "ana", Content: "Weather in Paris?"}},
	}, func(delta string) {
		fmt.Printf("streamed %q\n", delta)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (%s)\n", resp.Text, resp.FinishReason)
	fmt.Println(srv.Requests()[0].Messages[1].Name)
	// Output:
	// streamed "It "
	// streamed "is "
	// streamed "sunny "
	// streamed "in "
	// streamed "Paris."
	// It is sunny in Paris. (stop)
	// ana
}

// exampleT stands in for the *testing.T that examples lack.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                         {}
func (t *exampleT) Cleanup(f func())                { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, a ...any)  { fmt.Printf(format+"\n", a...) }
func (t *exampleT) Fatalf(format string, a ...any)  { panic(fmt.Sprintf(format, a...)) }
func (t *exampleT) Logf(format string, args ...any) {}

func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
