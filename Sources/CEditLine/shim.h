// libedit for the REPL. <editline/readline.h> is libedit's own header (not GNU readline's,
// which may also be installed); <histedit.h> is its native interface. el_set() and history()
// take variable arguments, which Swift cannot call: the small inline functions below give each
// use a fixed signature.
#include <stdio.h>
#include <editline/readline.h>
#include <histedit.h>

typedef unsigned char (*bbx_el_function)(EditLine *, int);
typedef char *(*bbx_el_prompt_function)(EditLine *);

// An editor on the standard streams, in emacs mode, with ^C delivered as a key (the REPL
// clears the line itself) and ~/.editrc read for the user's own bindings.
static inline EditLine *bbx_el_open(const char *program) {
    EditLine *el = el_init(program, stdin, stdout, stderr);
    if (el == NULL) return NULL;
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_SIGNAL, 1);
    el_set(el, EL_SETTY, "-d", "-isig", NULL);
    el_source(el, NULL);
    return el;
}

static inline int bbx_el_set_prompt(EditLine *el, bbx_el_prompt_function prompt) {
    return el_set(el, EL_PROMPT, prompt);
}

static inline int bbx_el_bind(EditLine *el, const char *name, const char *help, bbx_el_function function,
                              const char *key) {
    if (el_set(el, EL_ADDFN, name, help, function) != 0) return -1;
    return el_set(el, EL_BIND, key, name, NULL);
}

static inline History *bbx_history_open(int size) {
    History *history_ = history_init();
    if (history_ == NULL) return NULL;
    HistEvent event;
    history(history_, &event, H_SETSIZE, size);
    history(history_, &event, H_SETUNIQUE, 1);
    return history_;
}

static inline int bbx_history_add(History *history_, const char *entry) {
    HistEvent event;
    return history(history_, &event, H_ENTER, entry);
}

static inline int bbx_el_use_history(EditLine *el, History *history_) {
    return el_set(el, EL_HIST, history, history_);
}
