/* docpipe/docpipe.h — everything a stage plugin needs: include this one header. */
#pragma once

#include <docpipe/export.h>
#include <docpipe/version.h>
#include <docpipe/tokens.h>
#include <docpipe/record.h>
#include <docpipe/alignment.h>
#include <docpipe/params.h>
#include <docpipe/batch.h>
#include <docpipe/plugin.h>
#include <docpipe/output.h>
