//! The page's style and script, inline: nothing is fetched.

pub const CSS: &str = r#"
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:24px;color:#222;max-width:1280px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
td.l,th.l{text-align:left}th{background:#f6f6f6;cursor:pointer;user-select:none}th.sorted::after{content:" ▾"}th.sorted.asc::after{content:" ▴"}
.bad{color:#b00020;font-weight:600}.best{font-weight:600;color:#1b5e20}.note{color:#555;margin:2px 0}
.verdict{background:#f4f8f4;border-left:4px solid #59a14f;padding:8px 12px;margin:12px 0}.verdict p{margin:2px 0}
.sym{font-family:ui-monospace,monospace;white-space:normal;word-break:break-all;text-align:left;max-width:640px}.why{white-space:normal;overflow-wrap:anywhere;max-width:420px}
.bar{height:12px;background:#eee;position:relative;width:240px;display:inline-block;vertical-align:middle}
.bar>span{position:absolute;left:0;top:0;bottom:0;background:#4e79a7}.bar.over>span{background:#e15759}
svg.chart{max-width:100%;height:auto;display:block}
svg text{font-size:11px;fill:#333}svg .tick{fill:#666}svg .axis-label{font-size:12px;fill:#222}
svg .grid{stroke:#eee}svg .axis{stroke:#888}svg .front{fill:none;stroke:#e15759;stroke-width:1.5}
svg .pt{fill:#4e79a7}svg .front-pt{fill:#e15759}svg .pt-label{font-size:10px}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
#treemap{width:100%;max-width:1200px;height:420px;position:relative;border:1px solid #ddd;overflow:hidden}
#treemap div{position:absolute;overflow:hidden;font-size:11px;border:1px solid #fff;padding:1px 3px;color:#fff}
#treemap div.crate{background:#4e79a7}#treemap div.symbol{background:#76b7b2;color:#123}#treemap div.hit{background:#f28e2b;color:#000}
label{margin-right:12px}
"#;

/// Sortable tables, the configuration selector, the treemap and the
/// symbol filter. Only `textContent` is ever set from data.
pub const SCRIPT: &str = r#"
(function(){
  function sortable(table){
    var ths=table.querySelectorAll('thead th');
    ths.forEach(function(th,i){th.addEventListener('click',function(){
      var asc=!(th.classList.contains('sorted')&&th.classList.contains('asc'));
      ths.forEach(function(o){o.classList.remove('sorted','asc');});
      th.classList.add('sorted');if(asc)th.classList.add('asc');
      var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[i],y=b.cells[i];var xs=x.getAttribute('data-sort'),ys=y.getAttribute('data-sort');
        var c=(xs!==null&&ys!==null)?(+xs)-(+ys):x.textContent.localeCompare(y.textContent);
        return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r);});
    });});
  }
  document.querySelectorAll('table.sortable').forEach(sortable);
  var data=document.getElementById('attribution-data'); if(!data) return;
  var all=JSON.parse(data.textContent), pick=document.getElementById('config'), search=document.getElementById('search');
  var map=document.getElementById('treemap'), body=document.querySelector('#symbols tbody'), count=document.getElementById('count');
  function squarify(items,x,y,w,h,out){
    var total=items.reduce(function(s,i){return s+i.v;},0); if(!total||!items.length) return;
    var horiz=w>=h, side=horiz?h:w, row=[], rest=items.slice(), sum=0;
    function worst(r,s){var a=s/total*w*h,l=a/side,m=0;r.forEach(function(i){var b=i.v/total*w*h/l;m=Math.max(m,Math.max(l/b,b/l));});return m;}
    while(rest.length){var n=rest[0];var cand=row.concat([n]);if(row.length&&worst(cand,sum+n.v)>worst(row,sum))break;row=cand;sum+=n.v;rest.shift();}
    var thick=sum/total*(horiz?w:h), off=0;
    row.forEach(function(i){var len=i.v/sum*side;
      if(horiz)out.push({i:i,x:x,y:y+off,w:thick,h:len});else out.push({i:i,x:x+off,y:y,w:len,h:thick});off+=len;});
    if(horiz)squarify(rest,x+thick,y,w-thick,h,out);else squarify(rest,x,y+thick,w,h-thick,out);
  }
  function draw(){
    var a=all[pick.value], q=(search.value||'').toLowerCase();
    while(map.firstChild)map.removeChild(map.firstChild);
    var W=map.clientWidth,H=map.clientHeight,boxes=[];
    squarify(a.crates.filter(function(c){return c.v>0;}),0,0,W,H,boxes);
    boxes.forEach(function(b){
      var d=document.createElement('div');d.className='crate';
      d.style.left=b.x+'px';d.style.top=b.y+'px';d.style.width=b.w+'px';d.style.height=b.h+'px';
      d.textContent=b.i.name;d.title=b.i.name+': '+b.i.label;map.appendChild(d);
      var syms=a.parts.filter(function(s){return s.crate===b.i.name&&s.v>0;}), inner=[];
      if(b.w>40&&b.h>30)squarify(syms,b.x+2,b.y+14,b.w-4,b.h-16,inner);
      inner.forEach(function(s){var e=document.createElement('div');
        e.className='symbol'+(q&&s.i.name.toLowerCase().indexOf(q)>=0?' hit':'');
        e.style.left=s.x+'px';e.style.top=s.y+'px';e.style.width=s.w+'px';e.style.height=s.h+'px';
        e.textContent=s.i.name;e.title=s.i.name+': '+s.i.label;map.appendChild(e);});
    });
    var shown=a.symbols.filter(function(s){return !q||s.name.toLowerCase().indexOf(q)>=0||s.crate.toLowerCase().indexOf(q)>=0;});
    while(body.firstChild)body.removeChild(body.firstChild);
    shown.forEach(function(s){var tr=document.createElement('tr');
      [[s.label,s.v],[s.section],[s.crate],[s.name]].forEach(function(c,i){var td=document.createElement('td');td.textContent=c[0];
        if(i===0){td.setAttribute('data-sort',c[1]);td.className='why';}else td.className=(i===3?'sym':'l');tr.appendChild(td);});
      body.appendChild(tr);});
    count.textContent=shown.length+' of '+a.symbols.length+' symbols';
  }
  pick.addEventListener('change',draw);search.addEventListener('input',draw);window.addEventListener('resize',draw);draw();
})();
"#;
