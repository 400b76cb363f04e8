/**
 * The access walk: one pre-order pass over Babel's AST that collects the {@link Edits} turning
 * every property access into a call of the access runtime (the forms are listed in `transform.ts`).
 * Assignments, updates and `delete` are in `writes.ts`, destructuring and iteration in
 * `patterns.ts`, optional chains in `optional-chain.ts`.
 *
 * @module
 */
import {
  CHAIN_LINKS, FUNCTIONS, SKIPPED_KEYS, SKIPPED_NODES, child, end, hasUseStrict, isNode, nodes,
  privateName, skipTrivia, start, unwrapCallee, type AstNode,
} from "./ast.js";
import { Edits } from "./edits.js";
import { optionalChain } from "./optional-chain.js";
import { declarator, iterated, loop, pattern } from "./patterns.js";
import { AccessMode } from "./protocol.js";
import { assignment, deletion, update } from "./writes.js";

/** Lexical context of a node. */
export interface Scope {
  /** Strict-mode code: failed writes throw (picks s/c/l/u/d over S/C/L/U/D). */
  strict: boolean;
  /** Private names of the enclosing classes: `true` for fields, `false` for methods and accessors. */
  privates: ReadonlyMap<string, boolean>;
}

/** What a member expression is to the walk: a public property, a private field, or left alone (null). */
export type MemberKind = "public" | "field" | null;

/**
 * Receivers whose members stay as written, wherever they are: test runners' APIs that their
 * transforms recognise by their syntax (vitest hoists `vi.mock(…)` above the imports).
 */
const UNTRACKED_ALWAYS = ["vi", "vitest"];
/** In CommonJS, the module plumbing too: Node's `cjs-module-lexer` finds exports by syntax (`exports.a = …`). */
const UNTRACKED_COMMONJS = [...UNTRACKED_ALWAYS, "exports", "module"];

/** Collects the edits of one program. */
export class AccessWalker {
  readonly edits: Edits;
  readonly #untracked: ReadonlySet<string>;
  readonly #commonjs: boolean;

  /**
   * @param code - The code walked (token positions are looked up in it).
   * @param constEnums - Names of the file's `const enum`s (their members are inlined: left alone).
   * @param format - CommonJS leaves `exports` and `module` alone.
   */
  constructor(
    readonly code: string,
    readonly constEnums: ReadonlySet<string>,
    format: "module" | "commonjs",
    edits: Edits = new Edits(),
  ) {
    this.#untracked = new Set(format === "commonjs" ? UNTRACKED_COMMONJS : UNTRACKED_ALWAYS);
    this.#commonjs = format === "commonjs";
    this.edits = edits;
  }

  visit(node: AstNode, scope: Scope): void {
    if (SKIPPED_NODES.has(node.type)) return;
    if (FUNCTIONS.has(node.type)) return this.#function(node, scope);
    switch (node.type) {
      case "Program":
        return this.children(node, { ...scope, strict: scope.strict || hasUseStrict(node) });
      case "ClassDeclaration":
      case "ClassExpression":
        return this.#class(node, scope);
      case "TSModuleDeclaration":
        if (node["declare"] === true) return;
        break;
      case "MemberExpression":
        return this.#read(node, scope);
      case "OptionalMemberExpression":
      case "OptionalCallExpression":
        return optionalChain(this, node, scope, "value");
      case "CallExpression":
      case "TaggedTemplateExpression":
        return this.#call(node, scope);
      case "NewExpression":
        return this.#new(node, scope);
      case "AssignmentExpression":
        return assignment(this, node, scope);
      case "UpdateExpression":
        return update(this, node, scope);
      case "UnaryExpression":
        if (node["operator"] === "delete") return deletion(this, node, scope);
        break;
      case "BinaryExpression":
        // `k in o` → `__ila.I(k, o)` (`#f in o` stays: a brand check reads nothing shared).
        if (node["operator"] === "in" && child(node, "left").type !== "PrivateName") return this.#in(node, scope);
        break;
      case "VariableDeclarator":
        return declarator(this, node, scope);
      case "CatchClause":
        if (isNode(node["param"])) pattern(this, node["param"], scope);
        return this.visit(child(node, "body"), scope);
      case "ForOfStatement":
      case "ForInStatement":
        return loop(this, node, scope);
      case "ObjectExpression":
        // Object spread copies own properties: not an iteration.
        for (const property of nodes(node, "properties")) {
          this.visit(property.type === "SpreadElement" ? child(property, "argument") : property, scope);
        }
        return;
      case "SpreadElement":
        iterated(this, child(node, "argument"));
        break;
    }
    this.children(node, scope);
  }

  children(node: AstNode, scope: Scope): void {
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) this.visit(item, scope);
      } else if (isNode(value)) {
        this.visit(value, scope);
      }
    }
  }

  #function(node: AstNode, scope: Scope): void {
    const body = child(node, "body");
    const strict = scope.strict || (body.type === "BlockStatement" && hasUseStrict(body));
    const inner = strict === scope.strict ? scope : { ...scope, strict };
    if (node["computed"] === true) this.visit(child(node, "key"), scope);
    for (const param of nodes(node, "params")) pattern(this, param, inner);
    this.visit(body, inner);
  }

  #class(node: AstNode, scope: Scope): void {
    const privates = new Map(scope.privates);
    const members = nodes(child(node, "body"), "body");
    for (const member of members) {
      const key = member["key"];
      if (isNode(key) && key.type === "PrivateName") {
        privates.set(`#${privateName(key)}`, member.type === "ClassPrivateProperty");
      }
    }
    const inner: Scope = { strict: true, privates };
    if (isNode(node["superClass"])) this.visit(node["superClass"], inner);
    for (const member of members) this.visit(member, inner);
  }

  /** What a member expression is: a public property, a private field, or left alone (null). */
  kind(node: AstNode, scope: Scope): MemberKind {
    const object = child(node, "object");
    const property = child(node, "property");
    if (object.type === "Super" || this.#isUntracked(object)) return null;
    if (object.type === "Identifier" && (object["name"] === "arguments" || this.constEnums.has(String(object["name"])))) {
      return null;
    }
    if (property.type !== "PrivateName") return "public";
    return scope.privates.get(`#${privateName(property)}`) === true ? "field" : null;
  }

  /**
   * An untracked receiver (see {@link UNTRACKED_ALWAYS}), `import.meta`, or a static member of one
   * (`module.exports`, `import.meta.env`: bundlers replace `import.meta.env.X` by its syntax).
   */
  #isUntracked(node: AstNode): boolean {
    if (node.type === "MetaProperty") return true;
    if (node.type === "Identifier") return this.#untracked.has(String(node["name"]));
    return node.type === "MemberExpression" && node["computed"] !== true && this.#isUntracked(child(node, "object"));
  }

  /**
   * Whether a call of `callee` (not a member: those go through `M`) is watched with `k` (`n` for
   * `new`): whatever it runs outside traced code is an effect the runtime cannot see. Left alone:
   * `super(…)`, `import(…)`, direct `eval` (a wrapped `eval` is indirect), CommonJS `require`
   * (Node's export lexer reads `module.exports = require(…)` by its syntax), untracked receivers,
   * and function literals called in place (their code is traced right there).
   */
  #watchesCall(callee: AstNode): boolean {
    switch (callee.type) {
      case "Super":
      case "Import":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
      case "ClassExpression":
        return false;
      case "Identifier": {
        const name = String(callee["name"]);
        if (name === "eval" || name === "__il" || name === "__ila") return false;
        if (name === "require" && this.#commonjs) return false;
        return !this.#untracked.has(name);
      }
      default:
        return !this.#isUntracked(callee);
    }
  }

  /** `k in o`: a read of `o[k]` (whether it exists is what it reads). */
  #in(node: AstNode, scope: Scope): void {
    const left = child(node, "left");
    const right = child(node, "right");
    const at = this.token(end(left), "in");
    this.edits.open(start(node), "__ila.I(");
    if (left.type === "SequenceExpression") {
      this.edits.open(start(left), "(");
      this.edits.close(end(left), ")", start(left));
    }
    this.edits.replace(at, at + 2, ",");
    if (right.type === "SequenceExpression") {
      this.edits.open(start(right), "(");
      this.edits.close(end(right), ")", start(right));
    }
    this.edits.close(end(right), ")", start(node));
    this.visit(left, scope);
    this.visit(right, scope);
  }

  /** `o.p` read as a value. */
  #read(node: AstNode, scope: Scope): void {
    const kind = this.kind(node, scope);
    if (kind === "public") this.split(node, "__ila.g(", ")");
    else if (kind === "field") this.receiver(node, "__ila.p(", `, ${AccessMode.Read})`);
    this.memberChildren(node, scope);
  }

  /** A member accessed natively after `x` or `p` records it (targets TypeScript or parentheses wrap). */
  nativeAccess(node: AstNode, scope: Scope, mode: AccessMode): void {
    const kind = this.kind(node, scope);
    if (kind === "public") this.receiver(node, "__ila.x(", `, ${mode})`);
    else if (kind === "field") this.receiver(node, "__ila.p(", `, ${mode})`);
    this.memberChildren(node, scope);
  }

  memberChildren(node: AstNode, scope: Scope): void {
    this.visit(child(node, "object"), scope);
    if (node["computed"] === true) this.visit(child(node, "property"), scope);
  }

  /**
   * Calls and tagged templates: a member callee keeps its object as `this` (`M`, `p`), also
   * through parentheses and TypeScript wrappers (`(o.m as F)()`, `o.m!()`, which keep it too).
   * `Object.defineProperty(exports, …)` in CommonJS stays as written, like `exports.a = …`.
   */
  #call(node: AstNode, scope: Scope): void {
    const callee = child(node, node.type === "CallExpression" ? "callee" : "tag");
    const inner = unwrapCallee(callee);
    const first = nodes(node, "arguments")[0];
    if (first !== undefined && this.#isUntracked(first) && inner.type === "MemberExpression" && child(inner, "object")["name"] === "Object") {
      return;
    }
    if (inner.type === "MemberExpression") this.method(inner, scope);
    else if (CHAIN_LINKS.has(inner.type)) optionalChain(this, inner, scope, "callee");
    else {
      if (this.#watchesCall(inner)) this.wrap(callee, "__ila.k(", ")");
      this.visit(callee, scope);
    }
    if (node.type === "CallExpression") for (const argument of nodes(node, "arguments")) this.visit(argument, scope);
    else this.visit(child(node, "quasi"), scope);
  }

  /** The member callee of a call: the lookup is recorded, the call stays native on its object. */
  method(node: AstNode, scope: Scope): void {
    const kind = this.kind(node, scope);
    if (kind === "public") this.receiver(node, "__ila.M(", ")");
    else if (kind === "field") this.receiver(node, "__ila.p(", `, ${AccessMode.Read})`);
    this.memberChildren(node, scope);
  }

  /** `new o.C()`: the callee is read (wrapped in parentheses, or `new` would take the helper). */
  #new(node: AstNode, scope: Scope): void {
    const callee = child(node, "callee");
    if (this.#watchesCall(unwrapCallee(callee)) || (callee.type === "MemberExpression" && this.kind(callee, scope) !== null)) {
      this.edits.open(start(callee), "(__ila.n(");
      this.edits.close(end(callee), "))", start(callee));
    }
    this.visit(callee, scope);
    for (const argument of nodes(node, "arguments")) this.visit(argument, scope);
  }

  /**
   * `o.p` → `<opener>o, "p"<tail>`, `o[k]` → `<opener>o, k<tail>`: the object and key become the
   * first arguments of a helper (`tail` closes it or goes on with more arguments).
   */
  split(node: AstNode, opener: string, tail: string): void {
    const property = child(node, "property");
    const computed = node["computed"] === true;
    const at = this.token(end(child(node, "object")), computed ? "[" : ".");
    this.edits.open(start(node), opener);
    this.edits.replace(at, at + 1, ", ");
    if (computed) {
      const bracket = this.token(end(property), "]");
      this.edits.replace(bracket, bracket + 1, tail);
    } else {
      this.edits.open(start(property), '"');
      this.edits.close(end(property), `"${tail}`, start(node));
    }
  }

  /**
   * `o.p` → `<opener>o, "p"<tail>.p`, `o[k]` → `<opener>o, k<tail>[__ila.K()]`: a helper takes
   * the object and key and returns the object, on which the access stays native.
   */
  receiver(node: AstNode, opener: string, tail: string): void {
    const property = child(node, "property");
    this.edits.open(start(node), opener);
    if (node["computed"] === true) {
      const at = this.token(end(child(node, "object")), "[");
      this.edits.replace(at, at + 1, ", ");
      const bracket = this.token(end(property), "]");
      this.edits.replace(bracket, bracket + 1, `${tail}[__ila.K()]`);
    } else {
      const at = this.token(end(child(node, "object")), ".");
      const name = property.type === "PrivateName" ? `#${privateName(property)}` : String(property["name"]);
      this.edits.close(at, `, ${JSON.stringify(name)}${tail}`, start(node));
    }
  }

  /** `node` as the first argument of a helper (a sequence expression needs its own parentheses). */
  wrap(node: AstNode, opener: string, tail: string): void {
    const sequence = node.type === "SequenceExpression";
    this.edits.open(start(node), sequence ? `${opener}(` : opener);
    this.edits.close(end(node), sequence ? `)${tail}` : tail, start(node));
  }

  /** Offset of `token`, the next token at or after `from` past whitespace, comments and `)`. */
  token(from: number, token: string): number {
    const at = skipTrivia(this.code, from);
    if (!this.code.startsWith(token, at)) {
      throw new Error(`access transform: expected "${token}" at offset ${at}, found "${this.code.slice(at, at + 8)}"`);
    }
    return at;
  }
}
