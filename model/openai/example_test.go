package openai_test

import (
	"context"
	"fmt"

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
	// In a test, openaitest.NewServer(t) closes the server when the test ends.
	srv := openaitest.New()
	defer srv.Close()
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
