package tools_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/tools"
)

// salesFiles are the files of these tests: a CSV anyone may have and a
// payroll only Ana may, with a count of the files made.
func salesFiles(made *atomic.Int32) tools.PostFileConfig {
	return tools.PostFileConfig{Files: []tools.FileSource{
		{
			Name:        "sales.csv",
			Description: "this month's sales, one row per order",
			Make: func(ctx context.Context, tc *bot.ToolContext) (bot.File, error) {
				made.Add(1)
				return bot.File{ContentType: "text/csv", Data: []byte("order,total\nA-1,12.50\n"), Comment: "Sales"}, nil
			},
		},
		{
			Name: "payroll.csv",
			Make: func(ctx context.Context, tc *bot.ToolContext) (bot.File, error) {
				made.Add(1)
				if tc.User.ID != bottest.Ana.ID {
					return bot.File{}, errors.New("only Ana may have the payroll")
				}
				return bot.File{Data: []byte("name,pay\n")}, nil
			},
		},
	}}
}

func TestPostFileSchemaListsTheFiles(t *testing.T) {
	t.Parallel()
	var made atomic.Int32
	tool := tools.PostFile(salesFiles(&made))
	if err := tool.Err(); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"object","properties":{"file":{"type":"string","description":"the name of the file to post","enum":["sales.csv","payroll.csv"]},"comment":{"type":"string","description":"a short message posted with the file"}},"required":["file"],"additionalProperties":false}`
	if got := string(tool.Schema()); got != want {
		t.Errorf("schema\n%s\nwant\n%s", got, want)
	}
	if got, want := tool.Description(), "Post one of these files into this conversation, with an optional comment:\n- sales.csv: this month's sales, one row per order\n- payroll.csv"; got != want {
		t.Errorf("description %q, want %q", got, want)
	}
}

func TestPostFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    any
		user    bot.User
		caps    bot.Capabilities
		result  string // the tool message, or what starts it
		file    string // the file posted, "" for none
		comment string
		made    int32
	}{
		{"a listed file", tools.PostFileArgs{File: "sales.csv"}, bottest.Ana, bot.AllCapabilities,
			`{"posted":"sales.csv","message_id":"`, "sales.csv", "Sales", 1},
		{"with the model's comment", tools.PostFileArgs{File: "sales.csv", Comment: "Here you are"}, bottest.Ana, bot.AllCapabilities,
			`{"posted":"sales.csv","message_id":"`, "sales.csv", "Here you are", 1},
		{"a path", tools.PostFileArgs{File: "/etc/passwd"}, bottest.Ana, bot.AllCapabilities,
			`{"error":"invalid arguments: $.file:`, "", "", 0},
		{"another name", map[string]string{"file": "sales.csv", "path": "../secrets"}, bottest.Ana, bot.AllCapabilities,
			`{"error":"invalid arguments: $:`, "", "", 0},
		{"refused by Make", tools.PostFileArgs{File: "payroll.csv"}, bottest.Ben, bot.AllCapabilities,
			`{"error":"tools: making payroll.csv: only Ana may have the payroll"}`, "", "", 1},
		{"no file uploads", tools.PostFileArgs{File: "sales.csv"}, bottest.Ana, bot.AllCapabilities.Without(bot.CapFiles),
			`{"error":"bot: test does not support files"}`, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var made atomic.Int32
			model := bottest.NewModel(bottest.Call("post_file", tt.args), bottest.Reply("done"))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.PostFile(salesFiles(&made))}})
			h.Adapter.SetCapabilities(tt.caps)
			h.Send(tt.user, "send me the file")
			if got := lastToolMessage(t, model); !strings.HasPrefix(got, tt.result) {
				t.Errorf("tool message %s, want it to start %s", got, tt.result)
			}
			if got := made.Load(); got != tt.made {
				t.Errorf("made %d files, want %d", got, tt.made)
			}
			files := h.Chat.Files()
			if tt.file == "" {
				if len(files) != 0 {
					t.Errorf("posted %+v", files)
				}
				return
			}
			if len(files) != 1 || files[0].Name != tt.file || files[0].Comment != tt.comment || string(files[0].Data) != "order,total\nA-1,12.50\n" {
				t.Errorf("posted %+v", files)
			}
		})
	}
}

func TestPostFilePanicsOnADefinitionThatCannotWork(t *testing.T) {
	t.Parallel()
	mk := func(context.Context, *bot.ToolContext) (bot.File, error) { return bot.File{}, nil }
	tests := []struct {
		name  string
		files []tools.FileSource
		want  string
	}{
		{"no files", nil, "tools: PostFile: no Files"},
		{"no name", []tools.FileSource{{Make: mk}}, "tools: PostFile: Files[0] has no Name"},
		{"no make", []tools.FileSource{{Name: "a.csv"}}, `tools: PostFile: file "a.csv" has no Make`},
		{"a name twice", []tools.FileSource{{Name: "a.csv", Make: mk}, {Name: "a.csv", Make: mk}}, `tools: PostFile: two files named "a.csv"`},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if p := recover(); p != tt.want {
					t.Errorf("%s: panic %v, want %q", tt.name, p, tt.want)
				}
			}()
			tools.PostFile(tools.PostFileConfig{Files: tt.files})
		}()
	}
}
