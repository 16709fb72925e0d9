"""Undefined names in Python files, without importing them (TensorFlow need not be installed).

usage: python3 pynames.py MODEL.py TRAIN.py [MODEL.py TRAIN.py ...]
Prints one JSON list of problems: names read in any scope that no scope defines (not a builtin), and
`spec_model.X` attributes that train.py reads but its model.py does not define at module level.
"""
import ast
import builtins
import json
import symtable
import sys


def module_names(src, path):
    return {s.get_name() for s in symtable.symtable(src, path, 'exec').get_symbols()
            if s.is_assigned() or s.is_imported() or s.is_namespace()}


def undefined(src, path):
    top = symtable.symtable(src, path, 'exec')
    defined = module_names(src, path) | set(dir(builtins))
    problems = []

    def walk(table):
        for s in table.get_symbols():
            if not s.is_referenced():
                continue
            free_global = s.is_global() or table.get_type() == 'module'
            if free_global and s.get_name() not in defined:
                problems.append(f'{path}:{table.get_name()}: undefined name {s.get_name()}')
        for child in table.get_children():
            walk(child)

    walk(top)
    return problems


def attributes(src, module):
    return {n.attr for n in ast.walk(ast.parse(src))
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == module}


problems = []
args = sys.argv[1:]
for model_path, train_path in zip(args[0::2], args[1::2]):
    model_src = open(model_path).read()
    train_src = open(train_path).read()
    problems += undefined(model_src, model_path) + undefined(train_src, train_path)
    missing = attributes(train_src, 'spec_model') - module_names(model_src, model_path)
    problems += [f'{train_path}: spec_model.{a} is not defined in {model_path}' for a in sorted(missing)]
print(json.dumps(problems))
